"""The loop every pathway runs, cycle after cycle: assess -> respond -> monitor (once or more) ->
adjust -> verify rights -> the next cycle's assess (domain.md, "The individual pathway").

The order is the method: a response without an assessment, or a new assessment that skips the
rights check, is exactly what the training warns against, so the order is enforced, not advised.
Pure rules: the state is two values the database keeps on the pathway row (the last step recorded
and the cycle number); ``advance`` says whether a step may follow and what the state becomes.

The method also asks for "dynamic tools capable of adapting" (seed 004), so two steps may be
recorded out of their turn, leaving the loop where it stands (``place``): a rights check at any
stage (coercion heard at a monitoring visit is checked at once, escalations and all), and a
further response once the cycle is assessed (actions added between steps, or a second response
in the cycle: with a reason, which the plan's new version keeps). Monitoring still needs a plan,
an adjustment still follows monitoring, and only the rights check in its turn (after the
adjustment) lets a new cycle's assessment follow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

# The next monitoring meeting falls this long after the last one, unless the operator sets it.
MONITORING_INTERVAL = timedelta(days=30)


class PathwayStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Step(StrEnum):
    ASSESS = "assess"
    RESPOND = "respond"
    MONITOR = "monitor"
    ADJUST = "adjust"
    VERIFY_RIGHTS = "verify_rights"


# What may follow each stage; ``None`` is a pathway just opened, with nothing recorded yet.
# Monitoring repeats (one follow-up a month for as long as the plan runs); every other step is
# done once per cycle, and only a rights check closes a cycle.
NEXT_STEPS: dict[Step | None, tuple[Step, ...]] = {
    None: (Step.ASSESS,),
    Step.ASSESS: (Step.RESPOND,),
    Step.RESPOND: (Step.MONITOR,),
    Step.MONITOR: (Step.MONITOR, Step.ADJUST),
    Step.ADJUST: (Step.VERIFY_RIGHTS,),
    Step.VERIFY_RIGHTS: (Step.ASSESS,),
}


@dataclass(frozen=True)
class LoopState:
    """Where a pathway stands in the loop.

    ``stage`` is the last step recorded (``None``: just opened, nothing recorded); ``cycle`` is 0
    before the first assessment, which makes it 1; each assessment after a rights check starts the
    next cycle. The two go together (``stage is None`` exactly when ``cycle == 0``), which the
    constructor checks, so a corrupt row is caught when it is loaded rather than when it is used.
    """

    stage: Step | None = None
    cycle: int = 0

    def __post_init__(self) -> None:
        if self.cycle < 0:
            raise ValueError(f"cycle must be 0 or more, not {self.cycle}")
        if (self.stage is None) != (self.cycle == 0):
            raise ValueError(
                f"stage {self.stage!r} with cycle {self.cycle}: a pathway has no stage exactly "
                "when it is in cycle 0"
            )
        if self.stage is not None:
            # Accept the stored string; keep the enum so comparisons and messages stay uniform.
            object.__setattr__(self, "stage", Step(self.stage))


OPENED = LoopState()


def allowed_next(state: LoopState) -> tuple[Step, ...]:
    """The steps that may be recorded now, in the loop's order."""
    return NEXT_STEPS[state.stage]


def out_of_turn(state: LoopState) -> tuple[Step, ...]:
    """The steps that may also be recorded now out of the loop's turn, leaving it where it is."""
    steps = (Step.RESPOND, Step.VERIFY_RIGHTS) if state.stage is not None else (Step.VERIFY_RIGHTS,)
    return tuple(step for step in steps if step not in allowed_next(state))


# An out-of-turn step of these kinds must say why (a response between steps changes the plan).
REASON_OUT_OF_TURN = frozenset({Step.RESPOND})


@dataclass(frozen=True)
class Placement:
    """Where a step falls: ``state`` after it, and whether it was the loop's turn."""

    state: LoopState
    in_turn: bool


def _words(steps: tuple[Step, ...]) -> str:
    quoted = [f"'{step}'" for step in steps]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


class StepOutOfOrder(Exception):
    """A step that may not follow the current one. ``allowed`` names the steps that may, so the
    API can answer 409 with something the operator can act on."""

    def __init__(self, state: LoopState, step: str, allowed: tuple[Step, ...]) -> None:
        self.state = state
        self.step = step
        self.allowed = allowed
        if state.stage is None:
            where = "nothing has been recorded on this pathway yet"
        else:
            where = f"the last step recorded was '{state.stage}' (cycle {state.cycle})"
        super().__init__(
            f"'{step}' cannot be recorded now: {where}; the next step must be {_words(allowed)}."
        )


def advance(state: LoopState, step: Step) -> LoopState:
    """The state after recording ``step``, or ``StepOutOfOrder`` if it may not follow now.

    Accepts the plain string of a step too (a ``ValueError`` for a string that is no step).
    """
    step = Step(step)
    allowed = allowed_next(state)
    if step not in allowed:
        raise StepOutOfOrder(state, step, allowed)
    cycle = state.cycle + 1 if step is Step.ASSESS else state.cycle
    return LoopState(stage=step, cycle=cycle)


def place(state: LoopState, step: Step) -> Placement:
    """``advance`` when it is the step's turn; otherwise the same state for a step that may come
    out of turn (``out_of_turn``), or ``StepOutOfOrder`` naming the steps in turn."""
    step = Step(step)
    if step in allowed_next(state):
        return Placement(advance(state, step), in_turn=True)
    if step in out_of_turn(state):
        return Placement(state, in_turn=False)
    raise StepOutOfOrder(state, step, allowed_next(state))


def replay(steps: Iterable[Step], start: LoopState = OPENED) -> LoopState:
    """The state after recording ``steps`` in order from ``start``: rebuilds a pathway's state from
    its timeline, and raises at the first step out of order."""
    state = start
    for step in steps:
        state = advance(state, step)
    return state
