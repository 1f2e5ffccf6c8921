"""A qualification's recognition procedure, recorded on its action: the steps in order, then the
decision, which goes to intake (``outcome.recognition_decided``) once it names the person's
qualification, and again only when the decision changes."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from tests.pathways.conftest import open_pathway, person, step
from tests.support import Org, sql


async def _recognition_action(
    pathways: httpx.AsyncClient, org: Org, recognition: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str]:
    pathway = await open_pathway(pathways, org, await person(pathways, org))
    await step(pathways, org, pathway["id"], "assess")
    action: dict[str, Any] = {"type": "qualification_recognition", "title": "Recognise the degree"}
    if recognition is not None:
        action["recognition"] = recognition
    answer = await step(pathways, org, pathway["id"], "respond", {"actions": [action]})
    assert answer.status_code in (200, 201), answer.text
    [created] = (
        await pathways.get(f"/api/v1/pathways/{pathway['id']}/actions", headers=org.operator)
    ).json()["items"]
    return pathway, f"/api/v1/pathways/{pathway['id']}/actions/{created['id']}"


async def _decisions(database: str, pathway_id: str) -> list[dict[str, Any]]:
    rows = await sql(
        database,
        "SELECT payload::text AS payload FROM outbox_event "
        "WHERE type = 'outcome.recognition_decided' AND payload->>'pathway_id' = $1 ORDER BY seq",
        pathway_id,
    )
    return [json.loads(row["payload"]) for row in rows]


async def test_a_decision_on_a_named_qualification_goes_to_intake_once(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    a, _, _ = orgs
    qualification = str(uuid.uuid4())
    pathway, url = await _recognition_action(
        pathways, a, {"qualification_id": qualification, "procedure": "academic"}
    )
    today = date.today()
    steps = {
        "documents_gathered": (today - timedelta(days=60)).isoformat(),
        "translated": (today - timedelta(days=50)).isoformat(),
        "submitted": (today - timedelta(days=40)).isoformat(),
        "expected_decision_on": (today + timedelta(days=20)).isoformat(),
    }
    etag = (await pathways.get(url, headers=a.operator)).headers["ETag"]
    answer = await pathways.patch(
        url, json={"recognition": steps}, headers={**a.operator, "If-Match": etag}
    )
    assert answer.status_code == 200, answer.text
    assert await _decisions(pathways_database, pathway["id"]) == []

    refused_level = await pathways.patch(
        url,
        json={"recognition": {"decision": "refused", "decision_on": today.isoformat(),
                              "equivalent_level": "6"}},
        headers={**a.operator, "If-Match": answer.headers["ETag"]},
    )  # fmt: skip
    assert refused_level.status_code == 422
    decided = await pathways.patch(
        url,
        json={
            "status": "done",
            "recognition": {
                "decision": "recognised",
                "decision_on": today.isoformat(),
                "equivalent_level": "6",
                "authority": "CIMEA",
            },
        },
        headers={**a.operator, "If-Match": answer.headers["ETag"]},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["recognition"]["decision"] == "recognised"
    again = await pathways.patch(
        url,
        json={"progress": "Certificate collected"},
        headers={**a.operator, "If-Match": decided.headers["ETag"]},
    )
    assert again.status_code == 200, again.text
    [event] = await _decisions(pathways_database, pathway["id"])
    assert event["qualification_id"] == qualification
    assert (event["decision"], event["equivalent_level"]) == ("recognised", "6")
    assert (event["procedure"], event["authority"]) == ("academic", "CIMEA")
    assert event["decided_on"] == today.isoformat()
    assert event["organization_id"] == str(a.id)


async def test_a_decision_naming_no_qualification_stays_in_the_pathway(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    a, _, _ = orgs
    today = date.today()
    pathway, _url = await _recognition_action(
        pathways,
        a,
        {
            "documents_gathered": today.isoformat(),
            "translated": today.isoformat(),
            "submitted": today.isoformat(),
            "decision_on": today.isoformat(),
            "decision": "partially_recognised",
        },
    )
    assert await _decisions(pathways_database, pathway["id"]) == []


async def test_a_decision_later_than_expected_is_a_task_until_it_is_recorded(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    today = date.today()
    expected = today - timedelta(days=3)
    steps = {
        "documents_gathered": (today - timedelta(days=90)).isoformat(),
        "translated": (today - timedelta(days=90)).isoformat(),
        "submitted": (today - timedelta(days=60)).isoformat(),
        "expected_decision_on": expected.isoformat(),
        "authority": "CIMEA",
    }
    pathway, url = await _recognition_action(pathways, a, steps)
    query = {"kind": "recognition_overdue", "due_before": today.isoformat()}

    async def overdue(headers: dict[str, str]) -> list[dict[str, Any]]:
        answer = await pathways.get("/api/v1/tasks", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return [task for task in items if task["pathway_id"] == pathway["id"]]

    [task] = await overdue(a.operator)
    assert (task["due_on"], task["detail"]) == (expected.isoformat(), "CIMEA")
    assert await overdue(b.admin) == []  # another organisation's case
    etag = (await pathways.get(url, headers=a.operator)).headers["ETag"]
    decided = await pathways.patch(
        url,
        json={"recognition": {"decision_on": today.isoformat(), "decision": "refused"}},
        headers={**a.operator, "If-Match": etag},
    )
    assert decided.status_code == 200, decided.text
    assert await overdue(a.operator) == []
