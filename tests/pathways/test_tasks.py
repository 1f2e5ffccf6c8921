"""Tasks derived from the pathways' records, with the clock set: a follow-up on a closed pathway
falls due on its day and goes once recorded; monitoring, actions and permits; snooze and done;
manual tasks; who sees what."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from services.pathways.service import task_due
from shared import clock
from shared.db import create_engine, session_factory
from tests.pathways.conftest import ALL_YES, INTERNAL, deliver, open_pathway, person, step
from tests.support import Org, envelope, sql

TASKS = "/api/v1/tasks"


def _at(day: date) -> Any:
    return clock.frozen_at(datetime(day.year, day.month, day.day, 9, tzinfo=UTC))


async def _items(client: httpx.AsyncClient, headers: dict[str, str], **query: str) -> list[Any]:
    answer = await client.get(TASKS, params=query, headers=headers)
    assert answer.status_code == 200, answer.text
    items: list[Any] = answer.json()["items"]
    return items


async def test_a_follow_up_on_a_closed_pathway_falls_due_and_goes_when_recorded(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    placed = date(2026, 3, 2)
    with _at(placed):
        pathway = await open_pathway(pathways, a, await person(pathways, a))
        await step(pathways, a, pathway["id"], "assess")
        await step(pathways, a, pathway["id"], "respond")
        monitoring = {"progress": [], "date": placed.isoformat(), "employment_status": "informal"}
        assert (await step(pathways, a, pathway["id"], "monitor", monitoring)).status_code == 201
        url = f"/api/v1/pathways/{pathway['id']}"
        closed = await pathways.post(
            f"{url}/close", json={"outcome": "formal_employment"}, headers=a.operator
        )
        assert closed.status_code == 200, closed.text
    [three, *_] = (await pathways.get(f"{url}/follow-ups", headers=a.operator)).json()["items"]
    due = date.fromisoformat(three["due_on"])
    follow_up_tasks = {"kind": "placement_follow_up"}
    with _at(due - timedelta(days=1)):
        assert await _items(pathways, a.operator, **follow_up_tasks) == []
        ahead = await _items(pathways, a.operator, due_before=(due + timedelta(days=1)).isoformat())
        assert [item["source_id"] for item in ahead] == [three["id"]]
    with _at(due):
        [task] = await _items(pathways, a.operator, **follow_up_tasks)
        assert (task["source_id"], task["due_on"], task["detail"]) == (three["id"], str(due), "3")
        assert task["pathway_id"] == pathway["id"]
        assert task["assigned_to"] == a.operator_id
        assert task["status"] == "open"
        assert not task["overdue"]
        one = await pathways.get(f"{TASKS}/{task['id']}", headers=a.operator)
        assert one.status_code == 200
        assert one.json() == task
        assert one.headers["etag"] == '"1"'
        assert (await pathways.get(f"{TASKS}/{task['id']}", headers=b.admin)).status_code == 404
        assert await _items(pathways, b.admin) == []
        assert await _items(pathways, a.provider) == []
        recorded = await pathways.post(
            f"{url}/follow-ups/{three['id']}", json={"still_in_work": True}, headers=a.operator
        )
        assert recorded.status_code == 200
        assert await _items(pathways, a.operator, **follow_up_tasks) == []
        assert (await pathways.get(f"{TASKS}/{task['id']}", headers=a.operator)).status_code == 404


async def test_snooze_done_and_the_kinds(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    today = date(2026, 6, 1)
    with _at(today):
        someone = await person(pathways, a, permit_expires_on="2026-07-15")
        pathway = await open_pathway(pathways, a, someone)
        await step(pathways, a, pathway["id"], "assess")
        actions = {"actions": [{"type": "legal_aid", "title": "Renewal", "due_date": "2026-06-01"}]}
        assert (await step(pathways, a, pathway["id"], "respond", actions)).status_code == 201
        items = await _items(pathways, a.operator)
        kinds = {item["kind"]: item for item in items}
        assert set(kinds) == {"action_due", "permit_expiring"}
        assert not kinds["action_due"]["overdue"]
        assert kinds["action_due"]["title"] == "Renewal"
        assert kinds["permit_expiring"]["due_on"] == "2026-07-15"
        assert await _items(pathways, a.admin) == items  # the organisation's list
        assert await _items(pathways, a.operator, assigned_to="someone-else") == []

        url = f"{TASKS}/{kinds['action_due']['id']}"
        snooze = {"snoozed_until": "2026-06-05", "snooze_reason": "Lawyer on holiday"}
        assert (await pathways.patch(url, json=snooze, headers=a.operator)).status_code == 428
        stale = await pathways.patch(url, json=snooze, headers={**a.operator, "If-Match": '"7"'})
        assert stale.status_code == 412
        past = {"snoozed_until": "2026-06-01", "snooze_reason": "No"}
        refused = await pathways.patch(url, json=past, headers={**a.operator, "If-Match": '"1"'})
        assert refused.status_code == 422
        unknown = await pathways.patch(
            url, json={"colour": "red"}, headers={**a.operator, "If-Match": '"1"'}
        )
        assert unknown.status_code == 422
        snoozed = await pathways.patch(url, json=snooze, headers={**a.operator, "If-Match": '"1"'})
        assert snoozed.status_code == 200, snoozed.text
        assert snoozed.json()["status"] == "snoozed"
        assert snoozed.headers["etag"] == '"2"'
        assert {item["kind"] for item in await _items(pathways, a.operator)} == {"permit_expiring"}
        [held] = await _items(pathways, a.operator, status="snoozed")
        assert held["snooze_reason"] == "Lawyer on holiday"
    with _at(date(2026, 6, 5)):
        back = {item["kind"]: item for item in await _items(pathways, a.operator)}
        assert set(back) == {"action_due", "permit_expiring"}
        assert back["action_due"]["overdue"]
        assert back["action_due"]["status"] == "open"
        permit = f"{TASKS}/{kinds['permit_expiring']['id']}"
        done = await pathways.patch(
            permit, json={"status": "done"}, headers={**a.operator, "If-Match": '"1"'}
        )
        assert done.status_code == 200
        assert done.json()["status"] == "done"
        assert [item["kind"] for item in await _items(pathways, a.operator)] == ["action_due"]
        assert [item["kind"] for item in await _items(pathways, a.operator, status="done")] == [
            "permit_expiring"
        ]


async def test_manual_tasks_and_pages(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    with _at(date(2026, 6, 1)):
        pathway = await open_pathway(pathways, a, await person(pathways, a))
        created = []
        for day in ("2026-05-20", "2026-05-21", "2026-05-22"):
            body = {"title": f"Call {day}", "due_on": day, "pathway_id": pathway["id"]}
            answer = await pathways.post(TASKS, json=body, headers=a.operator)
            assert answer.status_code == 201, answer.text
            assert answer.headers["location"] == f"{TASKS}/{answer.json()['id']}"
            created.append(answer.json()["id"])
        theirs = await pathways.post(
            TASKS, json={"title": "x", "due_on": "2026-05-20"}, headers=a.provider
        )
        assert theirs.status_code == 403
        other = {"title": "x", "due_on": "2026-05-20", "pathway_id": pathway["id"]}
        assert (await pathways.post(TASKS, json=other, headers=b.operator)).status_code == 404
        first = await pathways.get(TASKS, params={"limit": 2}, headers=a.operator)
        assert [item["id"] for item in first.json()["items"]] == created[:2]
        cursor = first.json()["next_cursor"]
        rest = await pathways.get(TASKS, params={"cursor": cursor}, headers=a.operator)
        assert [item["id"] for item in rest.json()["items"]] == created[2:]
        forged = await pathways.get(TASKS, params={"cursor": "WzEsMiwzXQ"}, headers=a.operator)
        assert forged.status_code == 422
        assert (await pathways.get(f"{TASKS}/nonsense", headers=a.operator)).status_code == 404
        # The person's export carries the tasks about them (their titles are about them).
        exported = await pathways.get(
            f"/internal/beneficiaries/{pathway['beneficiary_id']}/export",
            headers={"Authorization": f"Bearer {INTERNAL}"},
        )
        assert sorted(str(row["id"]) for row in exported.json()["tasks"]) == sorted(created)


def _referral(
    beneficiary_id: Any, referrer: Org, status: str, referral_id: str, pathway_id: Any = None
) -> dict[str, Any]:
    payload = {
        "referral_id": referral_id,
        "beneficiary_id": str(beneficiary_id),
        "offer_id": str(uuid.uuid4()),
        "organization_id": str(referrer.id),
        "provider_organization_id": str(uuid.uuid4()),
        "pathway_id": pathway_id,
        "action_id": None,
        "status": status,
    }
    event = envelope("referral.status_changed", payload, source="matching")
    return {**event, "occurred_at": clock.now().isoformat()}  # when the clock says


async def test_a_referral_waits_for_its_answer_in_the_referrers_list(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    with _at(date(2026, 6, 1)):
        someone = await person(pathways, a, shared_with=[(b, ["pathway"])])
        pathway = await open_pathway(pathways, a, someone)
        referral, theirs = str(uuid.uuid4()), str(uuid.uuid4())
        await deliver(
            pathways,
            _referral(someone, a, "proposed", referral),
            _referral(someone, b, "proposed", theirs),  # B runs no pathway for the person
        )
        [task] = await _items(pathways, a.operator, kind="referral_waiting")
        assert (task["source_id"], task["pathway_id"]) == (referral, pathway["id"])
        assert task["due_on"] == "2026-06-08"
        assert await _items(pathways, b.admin) == []
        accepted = _referral(someone, a, "accepted", referral)
        late_proposal = _referral(someone, a, "proposed", referral)
        await deliver(pathways, accepted, late_proposal)
        assert await _items(pathways, a.operator, kind="referral_waiting") == []


async def test_an_open_escalation_is_a_rights_task_apart_from_the_plans_actions(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    today = date(2026, 6, 1)
    with _at(today):
        pathway = await open_pathway(pathways, a, await person(pathways, a))
        for kind in ("assess", "respond", "monitor", "adjust"):
            assert (await step(pathways, a, pathway["id"], kind)).status_code == 201
        violation = {"answers": {**ALL_YES, "withholding_of_wages": "no"}}
        checked = await step(pathways, a, pathway["id"], "verify_rights", violation)
        assert checked.status_code == 201
        ahead = {"due_before": "2026-07-01"}
        escalations = await _items(pathways, a.operator, kind="rights_escalation", **ahead)
        assert {item["detail"] for item in escalations} == {"trade_union", "labour_inspectorate"}
        assert {item["due_on"] for item in escalations} == {"2026-06-02"}  # forced labour: a day
        plain = await _items(pathways, a.operator, kind="action_due", **ahead)
        assert not {item["id"] for item in plain} & {item["id"] for item in escalations}
        one = await pathways.get(f"{TASKS}/{escalations[0]['id']}", headers=a.operator)
        assert one.json() == escalations[0]
        wrong_kind = escalations[0]["id"].replace("rights_escalation", "action_due")
        assert (await pathways.get(f"{TASKS}/{wrong_kind}", headers=a.operator)).status_code == 404


async def _announce(url: str, moment: datetime) -> int:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await task_due.announce(session, moment)
    finally:
        await engine.dispose()


async def test_a_task_is_announced_once_when_it_enters_the_list(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    a, b, _ = orgs
    with _at(date(2026, 6, 1)):
        someone = await person(pathways, a)
        pathway = await open_pathway(pathways, a, someone)
        for day in ("2026-05-01", "2026-06-01", "2026-06-03"):  # a backlog, today, to come
            body = {"title": "Call", "due_on": day, "pathway_id": pathway["id"]}
            assert (await pathways.post(TASKS, json=body, headers=a.operator)).status_code == 201
        await pathways.post(TASKS, json={"title": "B's", "due_on": "2026-06-01"}, headers=b.admin)
    [due, later] = [
        item["id"]
        for item in await _items(pathways, a.operator, due_before="2026-07-01")
        if item["due_on"] != "2026-05-01"
    ]
    moment = datetime(2026, 6, 1, 9, tzinfo=UTC)
    assert await _announce(pathways_database, moment) == 2  # A's task of today, B's
    assert await _announce(pathways_database, moment) == 0  # once
    assert await _announce(pathways_database, moment + timedelta(days=2)) == 1
    events = await sql(
        pathways_database,
        "SELECT payload FROM outbox_event WHERE type = 'task.due' ORDER BY seq",
    )
    payloads = [json.loads(row["payload"]) for row in events]
    a_s = [p for p in payloads if p["organization_id"] == str(a.id)]
    assert [p["task_id"] for p in a_s] == [due, later]
    assert a_s[0]["pathway_id"] == pathway["id"]
    assert a_s[0]["beneficiary_id"] == str(someone)
    assert a_s[0]["assigned_to"] == a.operator_id
