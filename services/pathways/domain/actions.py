"""The actions of a pathway's plan (the loop's "respond" step): their types, the life of their
status, the steps of a qualification recognition, and the titles of escalations.

An action's status only moves forward: planned work starts or ends, started work ends, and an ended
action stays ended; a changed plan is a new action (the "adjust" step keeps every plan version), so
what happened to each action stays readable in the indicators.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from services.pathways.domain.rights import EscalationTarget


class ActionType(StrEnum):
    LOW_THRESHOLD_SERVICE = "low_threshold_service"
    LEGAL_AID = "legal_aid"
    LANGUAGE_COURSE = "language_course"
    CIVIC_ORIENTATION = "civic_orientation"
    VOCATIONAL_TRAINING = "vocational_training"
    COMPANY_TRAINING = "company_training"
    SKILLS_VALIDATION = "skills_validation"
    QUALIFICATION_RECOGNITION = "qualification_recognition"
    ENTREPRENEURSHIP_WORKSHOP = "entrepreneurship_workshop"
    INTERNSHIP = "internship"
    JOB_PLACEMENT = "job_placement"
    HOUSING_REFERRAL = "housing_referral"
    HEALTH_REFERRAL = "health_referral"
    ESCALATION = "escalation"
    OTHER = "other"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


OPEN_STATUSES = frozenset({ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})
FINAL_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED, ActionStatus.FAILED})
TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.PLANNED: frozenset(
        {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED, ActionStatus.FAILED}
    ),
    ActionStatus.IN_PROGRESS: frozenset(
        {ActionStatus.DONE, ActionStatus.CANCELLED, ActionStatus.FAILED}
    ),
    ActionStatus.DONE: frozenset(),
    ActionStatus.CANCELLED: frozenset(),
    ActionStatus.FAILED: frozenset(),
}


def check_transition(old: ActionStatus, new: ActionStatus) -> str | None:
    """Why an action may not go from ``old`` to ``new``, or ``None`` if it may.

    Keeping the same status is no transition and always allowed, so an update that only moves the
    due date of a planned action, or repeats a request, passes.
    """
    old, new = ActionStatus(old), ActionStatus(new)
    if old == new or new in TRANSITIONS[old]:
        return None
    if old in FINAL_STATUSES:
        return f"the action is {old} and cannot change any more; add a new action instead"
    allowed = ", ".join(sorted(TRANSITIONS[old]))
    return f"an action that is {old} cannot become {new}; it can become {allowed}"


# Recognition of foreign qualifications, a recurring barrier, has its own dated steps, in order.
# The names are the body's (``recognition.decision_on`` is the decision's date).
RECOGNITION_STEPS: tuple[str, ...] = (
    "documents_gathered",
    "translated",
    "submitted",
    "decision_on",
)


class RecognitionDecision(StrEnum):
    RECOGNISED = "recognised"
    PARTIALLY_RECOGNISED = "partially_recognised"
    REFUSED = "refused"


class RecognitionProcedure(StrEnum):
    ACADEMIC = "academic"  # through the ENIC-NARIC centre
    PROFESSIONAL = "professional"  # a regulated profession (Directive 2005/36/EC)
    DECLARATION_OF_VALUE = "declaration_of_value"
    VALIDATION_OF_PRIOR_LEARNING = "validation_of_prior_learning"


RAISING_DECISIONS = frozenset(
    {RecognitionDecision.RECOGNISED, RecognitionDecision.PARTIALLY_RECOGNISED}
)
# What a qualification's record learns of a procedure: a change of any of these is a new decision.
DECISION_FIELDS = ("qualification_id", "decision", "decision_on", "equivalent_level")


def decision_to_send(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> bool:
    """Whether a recognition's update is a decision the qualification's record must learn: it
    names a qualification, holds a decision, and the decision (or what it names) changed."""
    if not current.get("qualification_id") or not current.get("decision"):
        return False
    before = previous or {}
    return any(before.get(key) != current.get(key) for key in DECISION_FIELDS)


def check_recognition(
    previous: Mapping[str, date | None],
    new: Mapping[str, date | None],
    *,
    decision: str | None = None,
    equivalent_level: str | None = None,
    today: date | None = None,
) -> list[str]:
    """Problems with an update to a qualification recognition, in plain English.

    ``previous`` holds the dates recorded so far by step (missing or ``None``: not yet); ``new``
    the dates this update sets or clears (``None``). The steps happen in the order of
    ``RECOGNITION_STEPS``, so after the update:

    - a step may be recorded only when every earlier step is (nothing is submitted before it is
      translated; documents that need no translation get the same date twice);
    - no step is dated before an earlier one;
    - with ``today``, no step is dated in the future;
    - ``decision`` is the outcome after the update (stored or new): a decision date needs one
      of ``RecognitionDecision``, and an outcome needs its date;
    - ``equivalent_level`` (after the update) needs a decision that recognises.
    """
    problems = [
        f"'{step}' is not a recognition step; the steps are " + ", ".join(RECOGNITION_STEPS)
        for step in new
        if step not in RECOGNITION_STEPS
    ]
    merged = {step: new.get(step, previous.get(step)) for step in RECOGNITION_STEPS}
    last: tuple[str, date] | None = None
    for position, step in enumerate(RECOGNITION_STEPS):
        on = merged[step]
        if on is None:
            continue
        gaps = [earlier for earlier in RECOGNITION_STEPS[:position] if merged[earlier] is None]
        if gaps:
            problems.append(f"'{step}' cannot be recorded before " + ", ".join(gaps))
        if last is not None and on < last[1]:
            problems.append(
                f"'{step}' is dated {on.isoformat()}, before '{last[0]}' ({last[1].isoformat()})"
            )
        if today is not None and on > today:
            problems.append(f"'{step}' is dated {on.isoformat()}, in the future")
        if last is None or on >= last[1]:
            last = (step, on)
    decided_on = merged["decision_on"]
    if decision is not None and decision not in set(RecognitionDecision):
        problems.append(
            f"'{decision}' is not a recognition decision; it is one of "
            + ", ".join(RecognitionDecision)
        )
    if decided_on is not None and decision is None:
        problems.append("a decision date needs the decision: " + ", ".join(RecognitionDecision))
    if decided_on is None and decision is not None:
        problems.append("a decision needs the date it was taken")
    if equivalent_level is not None and decision not in RAISING_DECISIONS:
        problems.append("an equivalent level needs a decision that recognises the qualification")
    return problems


ESCALATION_TITLES: dict[EscalationTarget, str] = {
    EscalationTarget.TRADE_UNION: "Refer to the trade union",
    EscalationTarget.LABOUR_INSPECTORATE: "Report to the labour inspectorate",
    EscalationTarget.LEGAL_AID: "Refer to legal aid",
    EscalationTarget.ANTI_TRAFFICKING_SERVICE: "Refer to the anti-trafficking service",
}


# Starting a business, as an entrepreneurship action follows it: the milestones, in the order a
# business usually reaches them; a microcredit may come at any point after the plan, or never.
BUSINESS_MILESTONES: tuple[str, ...] = (
    "idea",
    "business_plan",
    "microcredit",
    "registration",
    "first_revenue",
)
# Each milestone that cannot come before another one: (later, earlier).
_BUSINESS_ORDER = (
    ("business_plan", "idea"),
    ("microcredit", "business_plan"),
    ("registration", "business_plan"),
    ("first_revenue", "registration"),
)


def check_business(dates: Mapping[str, date | None], today: date) -> list[str]:
    """Problems with a business's dated milestones (after an update): none in the future; none
    before the one it builds on (a plan after the idea, a microcredit or a registration after the
    plan, the first revenue after the registration)."""
    problems = [
        f"'{name}' is dated {on.isoformat()}, in the future"
        for name, on in dates.items()
        if on is not None and on > today
    ]
    for later, earlier in _BUSINESS_ORDER:
        after, before = dates.get(later), dates.get(earlier)
        if after is not None and before is None:
            problems.append(f"'{later}' cannot be recorded before '{earlier}'")
        elif after is not None and before is not None and after < before:
            problems.append(
                f"'{later}' is dated {after.isoformat()}, before '{earlier}' ({before.isoformat()})"
            )
    return problems
