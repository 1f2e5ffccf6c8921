"""The demo operator's day around the loop: papers on file (a permit and a contract about to
expire, a signed consent form, a diploma), appointments (today's with an Arabic interpreter,
tomorrow's, one missed last week), tasks of their own (one due today, one overdue), and a case
the NGO asks the centre to take over, given to the operator to accept. Dates are relative to the
day of the first load, in Rome's time."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import httpx

ROME = ZoneInfo("Europe/Rome")
CENTRE_DESK = "Centro per l'impiego Roma Est, via Prenestina 45, sportello 3"
# The smallest PDF a reader opens: the type is told by these bytes, not by the name.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CONSENT = {"text_version": "demo-consent-it-2026", "collection_method": "paper_signed"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _documents(client: httpx.Client, centre: dict[str, str], people: list[str]) -> None:
    today = date.today()
    papers = [
        (people[0], "permit", "permesso-di-soggiorno.pdf", today + timedelta(days=40)),
        (people[0], "signed_consent", "consenso-firmato.pdf", None),
        (people[1], "diploma", "diploma-dakar.pdf", None),
        (people[3], "contract", "contratto-tirocinio.pdf", today + timedelta(days=25)),
    ]
    for person, kind, filename, expires_on in papers:
        form = {"kind": kind, **({"expires_on": expires_on.isoformat()} if expires_on else {})}
        client.post(
            f"/api/v1/beneficiaries/{person}/documents",
            data=form,
            files={"file": (filename, PDF, "application/pdf")},
            headers=centre,
        ).raise_for_status()


def _at(day: date, hour: int) -> str:
    return datetime.combine(day, clock_time(hour), ROME).isoformat()


def _appointments(
    client: httpx.Client, centre: dict[str, str], people: list[str], pathways: list[str]
) -> None:
    today = date.today()
    booked = [
        (0, _at(today, 10), "assess", {"interpreter_needed": True, "language": "ar"}),
        (2, _at(today + timedelta(days=1), 15), "monitor", {}),
        (3, _at(today - timedelta(days=6), 9), "monitor", {}),
    ]
    made = []
    for index, start_at, step, support in booked:
        body = {
            "beneficiary_id": people[index],
            "pathway_id": pathways[index],
            "step": step,
            "start_at": start_at,
            "duration_minutes": 45,
            "address": CENTRE_DESK,
            "purpose": "Review of the plan",
            **support,
        }
        answer = client.post("/api/v1/appointments", json=body, headers=centre)
        answer.raise_for_status()
        made.append(answer)
    missed = made[-1]
    client.patch(
        f"/api/v1/appointments/{missed.json()['id']}",
        json={"attendance": "missed", "attendance_reason": "transport"},
        headers={**centre, "If-Match": missed.headers["ETag"]},
    ).raise_for_status()


def _own_tasks(client: httpx.Client, centre: dict[str, str], pathways: list[str]) -> None:
    today = date.today()
    for title, due_on, pathway in (
        ("Call the school about evening places in Italian A2", today, None),
        ("Book the permit renewal at the Questura", today - timedelta(days=2), pathways[0]),
    ):
        body = {"title": title, "due_on": due_on.isoformat(), "pathway_id": pathway}
        client.post("/api/v1/tasks", json=body, headers=centre).raise_for_status()


def _transfer_to_the_centre(
    client: httpx.Client,
    ngo: dict[str, str],
    admin: dict[str, str],
    operator_id: str,
    centre_id: str,
    person: str,
) -> None:
    """The NGO asks the centre to take over a case; the centre's admin gives it to the operator."""
    consent = {"purpose": "transfer", "organization_id": centre_id, **CONSENT}
    url = f"/api/v1/beneficiaries/{person}/consents"
    client.post(url, json=consent, headers=ngo).raise_for_status()
    body = {
        "beneficiary_id": person,
        "to_organization_id": centre_id,
        "reason": "Moved to Roma Est; looking for work in logistics",
    }
    client.post("/api/v1/transfers", json=body, headers=ngo).raise_for_status()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the request reaches the task list through an event
        params = {"kind": "transfer_to_accept"}
        items = client.get("/api/v1/tasks", params=params, headers=admin).json()["items"]
        if items:
            url = f"/api/v1/tasks/{items[0]['id']}"
            etag = client.get(url, headers=admin).headers["ETag"]
            client.patch(
                url, json={"assigned_to": operator_id}, headers={**admin, "If-Match": etag}
            ).raise_for_status()
            return
        time.sleep(0.3)


def load_day(
    client: httpx.Client,
    tokens: dict[str, str],
    centre_id: str,
    people: list[str],
    pathways: list[str],
    ngo_person: str,
) -> None:
    """``tokens``: the centre's operator and admin and the NGO's operator; ``pathways``: the
    open pathways of the first ``people``, in order."""
    centre, admin, ngo = (_bearer(tokens[name]) for name in ("centre", "admin", "ngo"))
    operator_id = client.get("/api/v1/auth/me", headers=centre).json()["subject"]
    _documents(client, centre, people)
    _appointments(client, centre, people, pathways)
    _own_tasks(client, centre, pathways)
    _transfer_to_the_centre(client, ngo, admin, operator_id, centre_id, ngo_person)
