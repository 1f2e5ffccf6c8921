"""Reopening a closed pathway with a reason: it carries on where it stood (stage, cycle, plan,
violations), the timeline keeps the close and tells who reopened it, when and why; an open one is a
409, and so is one whose organisation has opened another for the person since. The same callers
as close; a bad body changes nothing."""

from __future__ import annotations

import json

import httpx

from tests.pathways.conftest import deliver, open_pathway, person, step
from tests.support import Org, envelope, sql

PROBLEM = "application/problem+json"
REASON = "Lost the job after two weeks; needs housing support again"


async def _closed(pathways: httpx.AsyncClient, org: Org, *, monitored: bool = True) -> str:
    pathway = await open_pathway(pathways, org, await person(pathways, org))
    for kind in ("assess", "respond", "monitor") if monitored else ("assess",):
        assert (await step(pathways, org, pathway["id"], kind)).status_code == 201
    closed = await pathways.post(
        f"/api/v1/pathways/{pathway['id']}/close",
        json={"outcome": "formal_employment", "note": "Hired by Edilizia Rossi"},
        headers=org.operator,
    )
    assert closed.status_code == 200, closed.text
    return str(pathway["id"])


async def _reopen(
    pathways: httpx.AsyncClient, org: Org, pathway_id: str, body: object = None
) -> httpx.Response:
    return await pathways.post(
        f"/api/v1/pathways/{pathway_id}/reopen",
        json={"reason": REASON} if body is None else body,
        headers=org.operator,
    )


async def test_a_closed_pathway_reopens_where_it_stood(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    a, _, _ = orgs
    pathway_id = await _closed(pathways, a)
    reopened = await _reopen(pathways, a, pathway_id)
    assert reopened.status_code == 200, reopened.text
    read = reopened.json()
    assert (read["status"], read["stage"], read["cycle"]) == ("open", "monitor", 1)
    assert (read["outcome"], read["closed_at"]) == (None, None)
    assert "monitor" in read["allowed_next_steps"]
    assert read["plan_version"] == 1
    assert read["employment_status"] == "formal_employment"  # the ladder is history: it stays

    # The loop carries on in the same cycle.
    assert (await step(pathways, a, pathway_id, "monitor")).json()["cycle"] == 1
    entries = (
        await pathways.get(f"/api/v1/pathways/{pathway_id}/timeline", headers=a.operator)
    ).json()["items"]
    kinds = [entry["kind"] for entry in entries]
    assert kinds[-3:] == ["closed", "reopened", "step:monitor"]
    entry = entries[-2]
    assert entry["actor"] == a.operator_id
    assert entry["summary"]["reason"] == REASON
    assert entry["summary"]["previous_outcome"] == "formal_employment"
    assert entry["summary"]["closing_note"] == "Hired by Edilizia Rossi"
    assert entry["at"]

    (event,) = await sql(
        pathways_database,
        "SELECT payload::text AS payload FROM outbox_event WHERE type = 'pathway.reopened'",
    )
    assert json.loads(event["payload"]) == {
        "pathway_id": pathway_id,
        "beneficiary_id": read["beneficiary_id"],
        "organization_id": str(a.id),
        "stage": "monitor",
        "cycle": 1,
    }
    closed_again = await pathways.post(
        f"/api/v1/pathways/{pathway_id}/close", json={"outcome": "withdrew"}, headers=a.operator
    )
    assert closed_again.status_code == 200, closed_again.text


async def test_an_open_pathway_is_not_reopened(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    refused = await _reopen(pathways, a, pathway["id"])
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert "only a closed pathway" in refused.json()["detail"]


async def test_not_while_the_organisation_has_opened_another_for_the_person(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    someone = await person(pathways, a)
    first = await open_pathway(pathways, a, someone)
    await pathways.post(
        f"/api/v1/pathways/{first['id']}/close", json={"outcome": "withdrew"}, headers=a.operator
    )
    await open_pathway(pathways, a, someone)
    refused = await _reopen(pathways, a, first["id"])
    assert refused.status_code == 409, refused.text
    read = await pathways.get(f"/api/v1/pathways/{first['id']}", headers=a.operator)
    assert read.json()["status"] == "closed"
    kinds = [
        entry["kind"]
        for entry in (
            await pathways.get(f"/api/v1/pathways/{first['id']}/timeline", headers=a.operator)
        ).json()["items"]
    ]
    assert "reopened" not in kinds


async def test_a_reason_is_required_and_a_bad_body_changes_nothing(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway_id = await _closed(pathways, a, monitored=False)
    for body in ({}, {"reason": "   "}, {"reason": REASON, "stage": "assess"}):
        refused = await _reopen(pathways, a, pathway_id, body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM)
    read = await pathways.get(f"/api/v1/pathways/{pathway_id}", headers=a.operator)
    assert read.json()["status"] == "closed"


async def test_the_same_callers_as_close(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    someone = await person(pathways, a, shared_with=[(b, ["identity", "pathway"])])
    pathway = await open_pathway(pathways, a, someone)
    await pathways.post(
        f"/api/v1/pathways/{pathway['id']}/close",
        json={"outcome": "withdrew"},
        headers=a.operator,
    )
    assert (await _reopen(pathways, b, pathway["id"])).status_code == 403  # sees it, runs it not
    assert (await _reopen(pathways, c, pathway["id"])).status_code == 404  # does not see it
    provider = {**a.headers("provider")}
    answer = await pathways.post(
        f"/api/v1/pathways/{pathway['id']}/reopen", json={"reason": REASON}, headers=provider
    )
    assert answer.status_code == 404
    admin = await pathways.post(
        f"/api/v1/pathways/{pathway['id']}/reopen",
        json={"reason": REASON},
        headers=a.headers("org_admin"),
    )
    assert admin.status_code == 200, admin.text


async def test_a_reopened_pathway_is_urgent_if_forced_labour_was_signalled_meanwhile(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway_id = await _closed(pathways, a, monitored=False)
    read = await pathways.get(f"/api/v1/pathways/{pathway_id}", headers=a.operator)
    profile = {"sex": "male", "vulnerability_level": "critical"}
    changed = {
        "beneficiary_id": read.json()["beneficiary_id"],
        "organization_id": str(a.id),
        "profile": profile,
    }
    await deliver(pathways, envelope("beneficiary.updated", changed))
    reopened = await _reopen(pathways, a, pathway_id)
    assert (reopened.json()["status"], reopened.json()["urgent"]) == ("open", True)
