"""A loop that adapts (seed 004: "dynamic tools capable of adapting"), through the API: a rights
check at any stage (escalations as in its turn, the loop's stage unchanged), an adjustment that
keeps the plan for a reason, actions added between steps and a second response in a cycle with a
reason; and the order that still holds: no monitoring before a plan, no new cycle that skips the
rights check in its turn."""

from __future__ import annotations

from typing import Any

import httpx

from tests.pathways.conftest import ALL_YES, RESPONSE, open_pathway, person, step
from tests.support import Org

COERCION = {
    "answers": {**ALL_YES, "withholding_of_wages": "no"},
    "evidence": {"withholding_of_wages": "Told at the visit: three months unpaid, or else"},
}


async def _at(client: httpx.AsyncClient, org: Org, *kinds: str) -> str:
    pathway = await open_pathway(client, org, await person(client, org))
    for kind in kinds:
        answer = await step(client, org, pathway["id"], kind)
        assert answer.status_code == 201, (kind, answer.text)
    return str(pathway["id"])


async def _read(client: httpx.AsyncClient, org: Org, pathway_id: str) -> dict[str, Any]:
    answer = await client.get(f"/api/v1/pathways/{pathway_id}", headers=org.operator)
    result: dict[str, Any] = answer.json()
    return result


async def test_coercion_heard_at_a_monitoring_visit_is_checked_at_once(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway_id = await _at(pathways, a, "assess", "respond", "monitor")
    before = await _read(pathways, a, pathway_id)
    assert before["steps_out_of_turn"] == ["respond", "verify_rights"]
    checked = await step(pathways, a, pathway_id, "verify_rights", COERCION)
    assert checked.status_code == 201, checked.text
    body = checked.json()
    assert (body["out_of_turn"], body["cycle"]) == (True, 1)
    assert body["result"]["violations"] == ["withholding_of_wages"]
    assert body["result"]["allowed_next_steps"] == ["monitor", "adjust"]
    after = await _read(pathways, a, pathway_id)
    assert (after["stage"], after["cycle"]) == ("monitor", 1)  # the loop stays where it was
    assert after["allowed_next_steps"] == ["monitor", "adjust"]
    assert (after["open_rights_violations"], after["urgent"]) == (1, True)
    escalations = [
        item
        for item in (
            await pathways.get(f"/api/v1/pathways/{pathway_id}/actions", headers=a.operator)
        ).json()["items"]
        if item["type"] == "escalation"
    ]
    assert {item["rights_item"] for item in escalations} == {"withholding_of_wages"}
    assert len(escalations) == 2  # the trade union and the labour inspectorate
    listed = (
        await pathways.get(f"/api/v1/pathways/{pathway_id}/rights-checks", headers=a.operator)
    ).json()["items"]
    assert [check["out_of_turn"] for check in listed] == [True]
    entries = (
        await pathways.get(f"/api/v1/pathways/{pathway_id}/timeline", headers=a.operator)
    ).json()["items"]
    assert entries[-1]["kind"] == "step:verify_rights"
    assert entries[-1]["summary"]["out_of_turn"] is True

    # The cycle goes on: monitoring, an adjustment, the rights check in its turn, a new cycle.
    for kind in ("monitor", "adjust"):
        assert (await step(pathways, a, pathway_id, kind)).status_code == 201
    in_turn = await step(pathways, a, pathway_id, "verify_rights", {"answers": ALL_YES})
    assert in_turn.json()["out_of_turn"] is False
    assert in_turn.json()["result"]["resolved"] == ["withholding_of_wages"]
    assert (await step(pathways, a, pathway_id, "assess")).json()["cycle"] == 2


async def test_a_rights_check_before_anything_else(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway_id = await _at(pathways, a)
    checked = await step(pathways, a, pathway_id, "verify_rights", COERCION)
    assert checked.status_code == 201, checked.text
    assert (checked.json()["cycle"], checked.json()["out_of_turn"]) == (0, True)
    read = await _read(pathways, a, pathway_id)
    assert (read["stage"], read["cycle"], read["allowed_next_steps"]) == (None, 0, ["assess"])
    assert read["urgent"] is True
    # An urgent check out of turn is not the cycle's: the loop still starts with an assessment.
    assert (await step(pathways, a, pathway_id, "monitor")).status_code == 409


async def test_an_adjustment_may_keep_the_plan_for_a_reason(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway_id = await _at(pathways, a, "assess", "respond", "monitor")
    plan_version = (await _read(pathways, a, pathway_id))["plan_version"]
    no_reason = await step(pathways, a, pathway_id, "adjust", {"cancel": []})
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["body.reason"]
    kept = await step(
        pathways, a, pathway_id, "adjust", {"reason": "Reviewed: the permit renewal is on track"}
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["result"]["plan_kept"] is True
    assert kept.json()["result"]["allowed_next_steps"] == ["verify_rights"]
    read = await _read(pathways, a, pathway_id)
    assert (read["stage"], read["plan_version"]) == ("adjust", plan_version)


async def test_actions_between_steps_and_a_second_response_need_a_reason(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway_id = await _at(pathways, a, "assess", "respond", "monitor")
    actions_url = f"/api/v1/pathways/{pathway_id}/actions"
    count = len((await pathways.get(actions_url, headers=a.operator)).json()["items"])
    before = await _read(pathways, a, pathway_id)
    extra = {"actions": [{"type": "housing_referral", "title": "Emergency housing desk"}]}
    refused = await step(pathways, a, pathway_id, "respond", extra)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.reason"]
    assert "not the loop's turn" in refused.json()["detail"]
    assert len((await pathways.get(actions_url, headers=a.operator)).json()["items"]) == count

    added = await step(pathways, a, pathway_id, "respond", {**extra, "reason": "Evicted last week"})
    assert added.status_code == 201, added.text
    assert added.json()["out_of_turn"] is True
    after = await _read(pathways, a, pathway_id)
    assert (after["stage"], after["cycle"]) == ("monitor", 1)
    assert after["plan_version"] == before["plan_version"] + 1
    assert len((await pathways.get(actions_url, headers=a.operator)).json()["items"]) == count + 1
    # Monitoring carries on, now following the new action too.
    assert (await step(pathways, a, pathway_id, "monitor")).status_code == 201

    # A second response right after the first, in the same cycle.
    other = await _at(pathways, a, "assess", "respond")
    second = await step(
        pathways, a, other, "respond", {**RESPONSE, "reason": "The language course opened today"}
    )
    assert second.status_code == 201, second.text
    assert ((await _read(pathways, a, other))["stage"], second.json()["cycle"]) == ("respond", 1)


async def test_no_plan_no_monitoring_and_no_response_before_an_assessment(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway_id = await _at(pathways, a)
    early = await step(pathways, a, pathway_id, "respond", {**RESPONSE, "reason": "Urgent"})
    assert early.status_code == 409
    assert early.json()["allowed_next_steps"] == ["assess"]
    await step(pathways, a, pathway_id, "assess")
    unplanned = await step(pathways, a, pathway_id, "monitor")
    assert unplanned.status_code == 409
    assert unplanned.json()["allowed_next_steps"] == ["respond"]
