"""Random sequences of steps through the API: every accepted sequence follows the loop (steps in
their turn advance it; a rights check, and a response with a reason, may come out of turn and
leave it where it stands), every refused step got 409 naming the allowed ones (or 422 for a
response out of turn without a reason), and the state read back is always the one the loop
gives."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.pathways.domain.loop import (
    OPENED,
    REASON_OUT_OF_TURN,
    LoopState,
    Placement,
    Step,
    StepOutOfOrder,
    allowed_next,
    place,
)
from tests.pathways.conftest import RESPONSE, open_pathway, person, step
from tests.support import Org

# "respond+reason": a response that says why (needed when it is not the loop's turn).
KINDS = ["assess", "respond", "respond+reason", "monitor", "adjust", "verify_rights"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=st.lists(st.sampled_from(KINDS), min_size=1, max_size=14))
async def test_random_step_sequences_follow_the_loop(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], sequence: list[str]
) -> None:
    a = orgs[0]
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    expected: LoopState = OPENED
    accepted = 0
    for label in sequence:
        kind, _, with_reason = label.partition("+")
        body = {**RESPONSE, "reason": "A second job offer came up"} if with_reason else None
        answer = await step(pathways, a, pathway["id"], kind, body)
        placed: Placement | None = None
        refused_allowed: list[str] = []
        try:
            placed = place(expected, Step(kind))
        except StepOutOfOrder as refused:
            refused_allowed = [s.value for s in refused.allowed]
        if placed is None:
            assert answer.status_code == 409, answer.text
            assert answer.json()["allowed_next_steps"] == refused_allowed
            continue
        if not placed.in_turn and Step(kind) in REASON_OUT_OF_TURN and not with_reason:
            assert answer.status_code == 422, answer.text
            assert [e["field"] for e in answer.json()["errors"]] == ["body.reason"]
            continue
        assert answer.status_code == 201, answer.text
        accepted += 1
        expected = placed.state
        assert answer.json()["out_of_turn"] is (not placed.in_turn)
        assert answer.json()["result"]["allowed_next_steps"] == [
            s.value for s in allowed_next(expected)
        ]
    read = (await pathways.get(f"/api/v1/pathways/{pathway['id']}", headers=a.operator)).json()
    assert (read["stage"], read["cycle"]) == (
        expected.stage.value if expected.stage else None,
        expected.cycle,
    )
    timeline = (
        await pathways.get(
            f"/api/v1/pathways/{pathway['id']}/timeline", params={"limit": 200}, headers=a.operator
        )
    ).json()
    steps = [entry for entry in timeline["items"] if entry["kind"].startswith("step:")]
    assert len(steps) == accepted  # every accepted step is in the timeline, once
    assert [entry["summary"]["cycle"] for entry in steps] == sorted(
        entry["summary"]["cycle"] for entry in steps
    )
