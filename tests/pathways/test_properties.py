"""Random sequences of steps through the API: every accepted sequence follows the loop, every
refused step got 409 naming the allowed ones, and the state read back is always the one the loop
gives."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.pathways.domain.loop import OPENED, LoopState, StepOutOfOrder, advance, allowed_next
from tests.pathways.conftest import open_pathway, person, step
from tests.support import Org

KINDS = ["assess", "respond", "monitor", "adjust", "verify_rights"]


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
    for kind in sequence:
        answer = await step(pathways, a, pathway["id"], kind)
        refused_allowed: list[str] | None = None
        try:
            expected = advance(expected, kind)  # type: ignore[arg-type]
        except StepOutOfOrder as refused:
            refused_allowed = [s.value for s in refused.allowed]
        if refused_allowed is not None:
            assert answer.status_code == 409, answer.text
            assert answer.json()["allowed_next_steps"] == refused_allowed
            continue
        assert answer.status_code == 201, answer.text
        accepted += 1
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
