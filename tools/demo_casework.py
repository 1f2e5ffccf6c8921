"""The demo's daily casework at the employment centre: pathways at every stage of the loop (one
in its second cycle, one closed with a placement and its follow-ups scheduled), a rights check
that finds withheld wages and escalates, case notes, referrals to the school's offers in
every status, and internships at the school that turned into contracts (``demo_day`` adds
documents, appointments, tasks and a transfer). Loaded once,
with the centre's people (a second load registers no one new, so it adds nothing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx

from services.pathways.domain.rights import RIGHTS_ITEMS

ALL_YES = {item.code: "yes" for item in RIGHTS_ITEMS}
ASSESSMENT = {
    "territorial_context": {"municipality": "Roma"},
    "labour_market_position": "unemployed_seeking",
    "needs": [
        {"domain": "language", "severity": "medium"},
        {"domain": "employment", "severity": "high"},
    ],
}
PLAN = {
    "actions": [
        {"type": "language_course", "title": "Italian A2, evening class", "need": "language"},
        {"type": "job_placement", "title": "CPI job desk: CV and interviews", "need": "employment"},
    ]
}
# Each pathway's steps, by how far it has gone: (step path, body) in order.
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("assessments", ASSESSMENT),
    ("actions", PLAN),
    ("monitoring", {"notes": "Attends the course; asked about evening shifts"}),
    (
        "adjustments",
        {
            "reason": "Add a kitchen course",
            "add": [{"type": "vocational_training", "title": "Kitchen assistant course"}],
        },
    ),
    ("rights-checks", {"answers": ALL_YES}),
]
NOTES = (
    ("pathway", "Phoned: she will bring the permit renewal receipt on Monday."),
    ("profile", "Worked four years as a cook in Dakar; no papers for it yet."),
)


def _eventually(attempt: Callable[[], httpx.Response], within: float = 30.0) -> httpx.Response:
    """The person reaches pathways and matching through events: retry while they are unknown."""
    deadline = time.monotonic() + within
    while True:
        answer = attempt()
        if answer.status_code not in (404, 409) or time.monotonic() > deadline:
            answer.raise_for_status()
            return answer
        time.sleep(0.3)


def _pathway(client: httpx.Client, headers: dict[str, str], person: str, steps: int) -> str:
    opened = _eventually(
        lambda: client.post("/api/v1/pathways", json={"beneficiary_id": person}, headers=headers)
    )
    url = f"/api/v1/pathways/{opened.json()['id']}"
    for path, body in STEPS[:steps]:
        client.post(f"{url}/{path}", json=body, headers=headers).raise_for_status()
    return str(opened.json()["id"])


def _violation_and_second_cycle(client: httpx.Client, headers: dict[str, str], person: str) -> None:
    """Withheld wages found at the rights check (escalated), and a second cycle begun."""
    url = f"/api/v1/pathways/{_pathway(client, headers, person, 4)}"
    check = {
        "answers": {**ALL_YES, "withholding_of_wages": "no"},
        "evidence": {"withholding_of_wages": "Two months unpaid at the market stall"},
    }
    client.post(f"{url}/rights-checks", json=check, headers=headers).raise_for_status()
    client.post(f"{url}/assessments", json=ASSESSMENT, headers=headers).raise_for_status()


def _placed_and_closed(client: httpx.Client, headers: dict[str, str], person: str) -> None:
    """Hired formally: the follow-ups at 3, 6 and 12 months are scheduled."""
    url = f"/api/v1/pathways/{_pathway(client, headers, person, 2)}"
    placed = {
        "employment_status": "formal_employment",
        "job": {"sector": "I", "employer_name": "Cooperativa Il Mestolo",
                "contract_type": "fixed_term", "weekly_hours": 30},
        "notes": "Hired by the cooperative",
    }  # fmt: skip
    for path, body in (("monitoring", placed), *STEPS[3:]):
        client.post(f"{url}/{path}", json=body, headers=headers).raise_for_status()
    closing = {"outcome": "formal_employment"}
    client.post(f"{url}/close", json=closing, headers=headers).raise_for_status()


def _eligible_pairs(
    client: httpx.Client, centre: dict[str, str], people: list[str], wanted: int
) -> list[tuple[str, str]]:
    """(person, offer) pairs as an operator finds them: each person's best eligible match."""
    pairs: list[tuple[str, str]] = []
    for person in people:
        url = f"/api/v1/beneficiaries/{person}/matches"
        matches = _eventually(partial(client.get, url, headers=centre)).json()["items"]
        eligible = [match["offer"]["id"] for match in matches if match["eligible"]]
        if eligible:
            pairs.append((person, eligible[0]))
        if len(pairs) == wanted:
            break
    return pairs


def _referrals(
    client: httpx.Client, centre: dict[str, str], school: dict[str, str], people: list[str]
) -> None:
    """One referral per status: the school answers each as far as its status says."""
    moves = {
        "proposed": [],
        "accepted": ["accepted"],
        "rejected": ["rejected"],
        "enrolled": ["accepted", "enrolled"],
        "completed": ["accepted", "enrolled", "completed"],
        "dropped": ["accepted", "dropped"],
    }
    pairs = _eligible_pairs(client, centre, people, len(moves))
    for (person, offer), path in zip(pairs, moves.values(), strict=False):
        body = {"beneficiary_id": person, "offer_id": offer}
        made = client.post("/api/v1/referrals", json=body, headers=centre)
        made.raise_for_status()
        url, etag = f"/api/v1/referrals/{made.json()['id']}", made.headers["ETag"]
        for status in path:
            change = {
                "status": status,
                **({"reason": "Course full"} if status in ("rejected", "dropped") else {}),
            }
            moved = client.patch(url, json=change, headers={**school, "If-Match": etag})
            moved.raise_for_status()
            etag = moved.headers["ETag"]


def _internships(
    client: httpx.Client, centre: dict[str, str], school_id: str, people: list[str]
) -> None:
    """Internships at the school, done: five interns hired by it (construction, F), one by a
    building firm, one not yet hired. The ladder report shows the moves, by sector and
    territory, and the school's conversion of internships into contracts."""
    internship = {"type": "internship", "title": "Internship on a building site, 3 months",
                  "provider_organization_id": school_id}  # fmt: skip
    for index, person in enumerate(people):
        url = f"/api/v1/pathways/{_pathway(client, centre, person, 1)}"
        planned = client.post(f"{url}/actions", json={"actions": [internship]}, headers=centre)
        planned.raise_for_status()
        actions = client.get(f"{url}/actions", headers=centre).json()["items"]
        done = {"progress": [{"action_id": actions[0]["id"], "status": "done"}]}
        client.post(f"{url}/monitoring", json=done, headers=centre).raise_for_status()
        if index == len(people) - 1:
            continue  # not hired yet
        employer: dict[str, Any] = (
            {"employer_organization_id": school_id}
            if index < 5
            else {"employer_name": "Edilizia Tiburtina srl"}
        )
        hired = {
            "employment_status": "formal_employment" if index % 2 else "precarious_formal",
            "job": {"sector": "F", "contract_type": "fixed_term", "weekly_hours": 38, **employer},
        }
        client.post(f"{url}/monitoring", json=hired, headers=centre).raise_for_status()


def load_casework(
    client: httpx.Client,
    centre_token: str,
    school_token: str,
    people: list[str],
    school_id: str,
) -> list[str]:
    """``people``: the centre's newly registered people, the first 30 with consent to matching.
    The open pathways of the first six, in order."""
    centre = {"Authorization": f"Bearer {centre_token}"}
    school = {"Authorization": f"Bearer {school_token}"}
    # A pathway at each stage, 0 = just opened.
    opened = [_pathway(client, centre, person, steps) for steps, person in enumerate(people[:6])]
    _violation_and_second_cycle(client, centre, people[6])
    _placed_and_closed(client, centre, people[7])
    for person in people[:8]:
        for section, text in NOTES:
            note = {"text": text, "section": section}
            client.post(
                f"/api/v1/beneficiaries/{person}/notes", json=note, headers=centre
            ).raise_for_status()
    _referrals(client, centre, school, people[8:30])
    _internships(client, centre, school_id, people[10:17])
    return opened
