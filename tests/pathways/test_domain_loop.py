"""The loop's state machine: examples of each rule, then random sequences of steps checked against
an independent description of the loop (a regular expression)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.pathways.domain.loop import (
    OPENED,
    REASON_OUT_OF_TURN,
    LoopState,
    Placement,
    Step,
    StepOutOfOrder,
    advance,
    allowed_next,
    out_of_turn,
    place,
    replay,
)

CYCLE = [Step.ASSESS, Step.RESPOND, Step.MONITOR, Step.ADJUST, Step.VERIFY_RIGHTS]
LETTER = {
    Step.ASSESS: "a",
    Step.RESPOND: "r",
    Step.MONITOR: "m",
    Step.ADJUST: "j",
    Step.VERIFY_RIGHTS: "v",
}
# Whole cycles, then the start of an unfinished one: the loop as the training describes it.
LOOP = re.compile(r"(arm+jv)*(a(r(m+(j)?)?)?)?")


def test_a_new_pathway_starts_with_an_assessment() -> None:
    assert OPENED == LoopState(stage=None, cycle=0)
    assert allowed_next(OPENED) == (Step.ASSESS,)
    assert advance(OPENED, Step.ASSESS) == LoopState(Step.ASSESS, 1)


def test_allowed_next_for_every_stage() -> None:
    assert allowed_next(LoopState(Step.ASSESS, 1)) == (Step.RESPOND,)
    assert allowed_next(LoopState(Step.RESPOND, 1)) == (Step.MONITOR,)
    assert allowed_next(LoopState(Step.MONITOR, 1)) == (Step.MONITOR, Step.ADJUST)
    assert allowed_next(LoopState(Step.ADJUST, 1)) == (Step.VERIFY_RIGHTS,)
    assert allowed_next(LoopState(Step.VERIFY_RIGHTS, 1)) == (Step.ASSESS,)


def test_two_cycles_with_repeated_monitoring() -> None:
    steps = [*CYCLE[:3], Step.MONITOR, Step.MONITOR, *CYCLE[3:], *CYCLE]
    state = replay(steps)
    assert state == LoopState(Step.VERIFY_RIGHTS, 2)
    assert advance(state, Step.ASSESS) == LoopState(Step.ASSESS, 3)


def test_only_an_assessment_starts_a_new_cycle() -> None:
    state = replay(CYCLE[:4])
    assert state.cycle == 1
    assert advance(state, Step.VERIFY_RIGHTS).cycle == 1


def test_a_step_out_of_order_names_the_allowed_steps() -> None:
    state = replay(CYCLE[:3])
    with pytest.raises(StepOutOfOrder) as raised:
        advance(state, Step.VERIFY_RIGHTS)
    assert raised.value.allowed == (Step.MONITOR, Step.ADJUST)
    assert raised.value.state == state
    assert raised.value.step == Step.VERIFY_RIGHTS
    assert str(raised.value) == (
        "'verify_rights' cannot be recorded now: the last step recorded was 'monitor' (cycle 1); "
        "the next step must be 'monitor' or 'adjust'."
    )


def test_the_message_for_a_new_pathway() -> None:
    with pytest.raises(StepOutOfOrder, match=r"nothing has been recorded .* must be 'assess'"):
        advance(OPENED, Step.RESPOND)


def test_a_rights_check_cannot_be_skipped() -> None:
    with pytest.raises(StepOutOfOrder) as raised:
        advance(replay(CYCLE[:4]), Step.ASSESS)
    assert raised.value.allowed == (Step.VERIFY_RIGHTS,)


def test_steps_may_be_given_as_stored_strings() -> None:
    state = LoopState("monitor", 2)  # type: ignore[arg-type]
    assert state.stage is Step.MONITOR
    assert advance(state, "adjust") == LoopState(Step.ADJUST, 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is not a valid Step"):
        advance(state, "dance")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("stage", "cycle"),
    [(None, 1), (Step.ASSESS, 0), (Step.MONITOR, -1), (None, -1)],
)
def test_an_impossible_state_is_refused(stage: Step | None, cycle: int) -> None:
    with pytest.raises(ValueError, match="cycle"):
        LoopState(stage, cycle)


def test_replay_stops_at_the_first_step_out_of_order() -> None:
    with pytest.raises(StepOutOfOrder) as raised:
        replay([Step.ASSESS, Step.RESPOND, Step.ADJUST, Step.MONITOR])
    assert raised.value.state == LoopState(Step.RESPOND, 1)


def check_walk(steps: list[Step]) -> None:
    state = OPENED
    accepted: list[Step] = []
    for step in steps:
        allowed = allowed_next(state)
        if step not in allowed:
            with pytest.raises(StepOutOfOrder) as refused:
                advance(state, step)
            assert refused.value.allowed == allowed
            assert refused.value.state == state
            continue
        state = advance(state, step)
        accepted.append(step)
        # Every accepted prefix follows the loop, and the state tells where it stands.
        assert LOOP.fullmatch("".join(LETTER[s] for s in accepted))
        assert state.stage == step
        assert state.cycle == accepted.count(Step.ASSESS)
        assert (state.stage is None) == (state.cycle == 0)
    assert state == replay(accepted)
    assert state.cycle == accepted.count(Step.ASSESS)
    assert (state.stage is None) == (state.cycle == 0)


@given(st.lists(st.sampled_from(Step), max_size=60))
def test_random_sequences_follow_the_loop(steps: list[Step]) -> None:
    check_walk(steps)


@given(st.data())
def test_long_walks_mostly_along_the_loop(data: st.DataObject) -> None:
    # Uniformly random steps are mostly refused; this walk takes an allowed step four times in
    # five, so it goes round the loop many times and still tries the wrong step often.
    state = OPENED
    steps: list[Step] = []
    for _ in range(data.draw(st.integers(0, 80))):
        if data.draw(st.integers(0, 4)):
            step = data.draw(st.sampled_from(allowed_next(state)))
        else:
            step = data.draw(st.sampled_from(Step))
        steps.append(step)
        if step in allowed_next(state):
            state = advance(state, step)
    check_walk(steps)


@given(st.lists(st.sampled_from(Step), max_size=40))
def test_a_sequence_is_accepted_exactly_when_it_matches_the_loop(steps: list[Step]) -> None:
    word = "".join(LETTER[s] for s in steps)
    try:
        replay(steps)
    except StepOutOfOrder:
        assert not LOOP.fullmatch(word)
    else:
        assert LOOP.fullmatch(word)


# --- steps out of turn (a loop that adapts) ------------------------------------------------------


def test_a_rights_check_may_come_at_any_stage_without_moving_the_loop() -> None:
    for state in (OPENED, *(replay(CYCLE[: n + 1]) for n in range(len(CYCLE)))):
        placed = place(state, Step.VERIFY_RIGHTS)
        if state.stage is Step.ADJUST:  # its turn: it closes the cycle
            assert placed == Placement(LoopState(Step.VERIFY_RIGHTS, 1), in_turn=True)
        else:
            assert placed == Placement(state, in_turn=False)


def test_a_response_may_come_out_of_turn_once_the_cycle_is_assessed() -> None:
    assert out_of_turn(OPENED) == (Step.VERIFY_RIGHTS,)
    with pytest.raises(StepOutOfOrder) as raised:
        place(OPENED, Step.RESPOND)
    assert raised.value.allowed == (Step.ASSESS,)
    assessed = replay(CYCLE[:1])
    assert place(assessed, Step.RESPOND) == Placement(LoopState(Step.RESPOND, 1), in_turn=True)
    for later in (replay(CYCLE[:n]) for n in range(2, 6)):
        assert place(later, Step.RESPOND) == Placement(later, in_turn=False)
        assert Step.RESPOND in out_of_turn(later)
    assert REASON_OUT_OF_TURN == {Step.RESPOND}


def test_the_order_still_holds_where_it_matters() -> None:
    # No monitoring before a plan, no adjustment before monitoring, no assessment that skips the
    # rights check in its turn (an urgent one out of turn does not count).
    for state, step in [
        (OPENED, Step.MONITOR),
        (replay(CYCLE[:1]), Step.MONITOR),
        (replay(CYCLE[:2]), Step.ADJUST),
        (replay(CYCLE[:4]), Step.ASSESS),
        (replay(CYCLE[:3]), Step.ASSESS),
    ]:
        with pytest.raises(StepOutOfOrder):
            place(state, step)
    urgent = place(replay(CYCLE[:3]), Step.VERIFY_RIGHTS).state
    with pytest.raises(StepOutOfOrder):
        place(urgent, Step.ASSESS)


@given(st.lists(st.sampled_from(Step), max_size=60))
def test_steps_out_of_turn_never_move_the_loop(steps: list[Step]) -> None:
    state = OPENED
    in_turn: list[Step] = []
    for step in steps:
        if step not in allowed_next(state) and step not in out_of_turn(state):
            with pytest.raises(StepOutOfOrder) as refused:
                place(state, step)
            assert refused.value.allowed == allowed_next(state)
            continue
        placed = place(state, step)
        if placed.in_turn:
            assert placed.state == advance(state, step)
            in_turn.append(step)
        else:
            assert placed.state == state
            assert step in (Step.RESPOND, Step.VERIFY_RIGHTS)
        state = placed.state
    # The steps in turn alone are a walk along the loop.
    assert LOOP.fullmatch("".join(LETTER[s] for s in in_turn))
    assert state == replay(in_turn)
