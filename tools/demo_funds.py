"""The demo's funded project: the employment centre leads an AMIF project (LIME Roma) with the
NGO as its partner, this year as its reporting period. Thirty of the centre's people are
enrolled; a dozen of them follow an Italian course and a civic orientation course, most reach
the next level at their follow-ups and say the support helped, and two apply to have a diploma
recognised. ``GET /api/v1/reports/fund-indicators?project_id=...`` then shows every indicator of
the fund Ponte supports. Loaded once, with the centre's people."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import httpx

from tools.demo_casework import ASSESSMENT, _eventually

COURSE = {
    "actions": [
        {"type": "language_course", "title": "Italian A1-A2, LIME Roma", "need": "language"},
        {"type": "civic_orientation", "title": "Civic orientation, 10 hours"},
    ]
}


def _project(client: httpx.Client, admin: dict[str, str], partner_id: str) -> str:
    year = date.today().year
    body = {
        "name": "LIME Roma",
        "fund": "amif",
        "grant_code": "101140211",
        "starts_on": f"{year}-01-01",
        "ends_on": f"{year + 1}-12-31",
        "reporting_periods": [
            {"label": str(year), "from": f"{year}-01-01", "to": f"{year}-12-31"},
            {"label": str(year + 1), "from": f"{year + 1}-01-01", "to": f"{year + 1}-12-31"},
        ],
        "partner_organization_ids": [partner_id],
    }
    created = client.post("/api/v1/projects", json=body, headers=admin)
    created.raise_for_status()
    return str(created.json()["id"])


def _course(client: httpx.Client, centre: dict[str, str], person: str, index: int) -> None:
    """An Italian course and civic orientation on a new pathway; two follow-ups with the level
    (nine of twelve move up a level); the feedback; a recognition for two."""
    opened = _eventually(
        lambda: client.post("/api/v1/pathways", json={"beneficiary_id": person}, headers=centre)
    )
    url = f"/api/v1/pathways/{opened.json()['id']}"
    steps: list[tuple[str, dict[str, Any]]] = [("assessments", ASSESSMENT)]
    plan: dict[str, Any] = dict(COURSE)
    if index < 2:
        today = date.today().isoformat()
        recognition = {"documents_gathered": today, "translated": today, "submitted": today}
        plan = {"actions": [*COURSE["actions"], {"type": "qualification_recognition",
                "title": "Recognise the diploma", "recognition": recognition}]}  # fmt: skip
    steps.append(("actions", plan))
    levels = ("A1", "A2") if index < 9 else ("A1", "A1")
    for level in levels:
        steps.append(("monitoring", {"language_level": {"code": "it", "level": level}}))
    for path, body in steps:
        client.post(f"{url}/{path}", json=body, headers=centre).raise_for_status()
    answer = "yes" if index < 10 else "partly"
    feedback = {"helped_integration": answer, "satisfaction": 4 if answer == "yes" else 3}
    client.post(f"{url}/feedback", json=feedback, headers=centre).raise_for_status()


def load_project(
    client: httpx.Client,
    admin_token: str,
    centre_token: str,
    partner_id: str,
    people: list[str],
) -> str:
    """``people``: the centre's newly registered people. Returns the project's id."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    centre = {"Authorization": f"Bearer {centre_token}"}
    project_id = _project(client, admin, partner_id)
    for person in people[:30]:
        body = {"beneficiary_id": person, "third_country_national": True,
                "evidence": "residence_permit"}  # fmt: skip
        url = f"/api/v1/projects/{project_id}/participants"
        _eventually(partial(client.post, url, json=body, headers=centre)).raise_for_status()
    for index, person in enumerate(people[18:30]):
        _course(client, centre, person, index)
    return project_id
