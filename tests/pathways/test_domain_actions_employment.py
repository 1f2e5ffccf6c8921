"""Action statuses, qualification recognition, escalation titles, and the employment ladder:
transitions, placements, retention follow-up dates and days to the first formal contract."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from itertools import pairwise, product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.pathways.domain.actions import (
    ESCALATION_TITLES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    RECOGNITION_STEPS,
    ActionStatus,
    ActionType,
    RecognitionDecision,
    check_recognition,
    check_transition,
    decision_to_send,
)
from services.pathways.domain.employment import (
    FORMAL,
    LADDER_RANK,
    PLACED,
    EmploymentStatus,
    Transition,
    add_months,
    days_to_first_formal,
    follow_up_dates,
    is_placement,
    transitions,
)
from services.pathways.domain.rights import EscalationTarget

S = ActionStatus
E = EmploymentStatus
ALLOWED = {
    (S.PLANNED, S.IN_PROGRESS),
    (S.PLANNED, S.DONE),
    (S.PLANNED, S.CANCELLED),
    (S.PLANNED, S.FAILED),
    (S.IN_PROGRESS, S.DONE),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.IN_PROGRESS, S.FAILED),
}


def test_action_types_cover_the_issue() -> None:
    assert {t.value for t in ActionType} >= {
        "low_threshold_service",
        "legal_aid",
        "language_course",
        "vocational_training",
        "company_training",
        "skills_validation",
        "qualification_recognition",
        "entrepreneurship_workshop",
        "internship",
        "job_placement",
        "housing_referral",
        "health_referral",
        "escalation",
        "other",
    }


def test_open_and_final_statuses_split_all_statuses() -> None:
    assert OPEN_STATUSES | FINAL_STATUSES == set(ActionStatus)
    assert not OPEN_STATUSES & FINAL_STATUSES


@pytest.mark.parametrize(("old", "new"), list(product(ActionStatus, repeat=2)))
def test_every_status_transition(old: ActionStatus, new: ActionStatus) -> None:
    problem = check_transition(old, new)
    if old == new or (old, new) in ALLOWED:
        assert problem is None
    elif old in FINAL_STATUSES:
        assert (
            problem == f"the action is {old} and cannot change any more; add a new action instead"
        )
    else:
        assert problem is not None
        assert problem.startswith(f"an action that is {old} cannot become {new}")


def test_transition_message_names_the_way_forward() -> None:
    assert check_transition(S.IN_PROGRESS, S.PLANNED) == (
        "an action that is in_progress cannot become planned; it can become cancelled, done, failed"
    )


D = date(2024, 3, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def test_recognition_in_order_is_fine() -> None:
    assert check_recognition({}, {"documents_gathered": day(0)}) == []
    previous = {"documents_gathered": day(0), "translated": day(0)}
    assert check_recognition(previous, {"submitted": day(5)}, today=day(5)) == []
    done = {**previous, "submitted": day(5)}
    assert check_recognition(done, {"decision_on": day(90)}, decision="partially_recognised") == []


def test_a_step_cannot_be_recorded_before_the_earlier_ones() -> None:
    assert check_recognition({"documents_gathered": day(0)}, {"submitted": day(3)}) == [
        "'submitted' cannot be recorded before translated"
    ]
    assert check_recognition({}, {"translated": day(1)}) == [
        "'translated' cannot be recorded before documents_gathered"
    ]


def test_a_step_cannot_be_dated_before_an_earlier_one() -> None:
    previous = {"documents_gathered": day(10), "translated": day(20)}
    assert check_recognition(previous, {"submitted": day(15)}) == [
        f"'submitted' is dated {day(15).isoformat()}, before 'translated' ({day(20).isoformat()})"
    ]
    # Moving an earlier step after a later one is caught the same way.
    assert check_recognition(previous, {"documents_gathered": day(25)}) == [
        f"'translated' is dated {day(20).isoformat()}, "
        f"before 'documents_gathered' ({day(25).isoformat()})"
    ]


def test_clearing_a_step_that_later_ones_need() -> None:
    previous = {"documents_gathered": day(0), "translated": day(1), "submitted": day(2)}
    assert check_recognition(previous, {"translated": None}) == [
        "'submitted' cannot be recorded before translated"
    ]
    assert check_recognition(previous, {"submitted": None}) == []


def test_recognition_dates_in_the_future_and_unknown_steps() -> None:
    assert check_recognition(
        {}, {"documents_gathered": day(2), "apostille": day(1)}, today=day(1)
    ) == [
        "'apostille' is not a recognition step; the steps are "
        "documents_gathered, translated, submitted, decision_on",
        f"'documents_gathered' is dated {day(2).isoformat()}, in the future",
    ]


def test_the_decision_needs_its_outcome_and_its_date() -> None:
    steps = dict(zip(RECOGNITION_STEPS[:3], [day(0), day(1), day(2)], strict=True))
    assert check_recognition(steps, {"decision_on": day(9)}) == [
        "a decision date needs the decision: recognised, partially_recognised, refused"
    ]
    assert check_recognition(steps, {}, decision="refused") == [
        "a decision needs the date it was taken"
    ]
    assert check_recognition(steps, {"decision_on": day(9)}, decision="maybe") == [
        "'maybe' is not a recognition decision; it is one of "
        "recognised, partially_recognised, refused"
    ]
    for outcome in RecognitionDecision:
        assert check_recognition(steps, {"decision_on": day(9)}, decision=outcome) == []


def test_an_equivalent_level_needs_a_decision_that_recognises() -> None:
    steps = dict(zip(RECOGNITION_STEPS[:3], [day(0), day(1), day(2)], strict=True))
    decided = {"decision_on": day(9)}
    for outcome in ("recognised", "partially_recognised"):
        assert check_recognition(steps, decided, decision=outcome, equivalent_level="6") == []
    refused = "an equivalent level needs a decision that recognises the qualification"
    assert check_recognition(steps, decided, decision="refused", equivalent_level="6") == [refused]
    assert check_recognition(steps, {}, equivalent_level="6") == [refused]


def test_a_decision_is_sent_once_it_names_a_qualification_and_again_when_it_changes() -> None:
    named = {"qualification_id": "q1"}
    decided = {**named, "decision": "recognised", "decision_on": "2024-06-01"}
    assert decision_to_send(None, decided)
    assert decision_to_send(named, decided)
    assert not decision_to_send(decided, dict(decided))  # repeated: nothing new
    assert not decision_to_send(decided, {**decided, "authority": "CIMEA"})
    assert decision_to_send(decided, {**decided, "equivalent_level": "6"})
    assert decision_to_send(decided, {**decided, "qualification_id": "q2"})
    assert not decision_to_send(None, {"decision": "recognised", "decision_on": "2024-06-01"})
    assert not decision_to_send(None, named)  # no decision yet


@given(
    st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=4, max_size=4),
)
def test_recognition_accepts_exactly_ordered_prefixes(offsets: list[int | None]) -> None:
    dates = {
        s: None if o is None else day(o) for s, o in zip(RECOGNITION_STEPS, offsets, strict=True)
    }
    decision = "recognised" if dates["decision_on"] else None
    recorded = [o for o in offsets if o is not None]
    prefix = offsets[: len(recorded)] == recorded
    ordered = recorded == sorted(recorded)
    assert (check_recognition({}, dates, decision=decision) == []) == (prefix and ordered)


def test_every_escalation_target_has_a_title() -> None:
    assert set(ESCALATION_TITLES) == set(EscalationTarget)
    assert ESCALATION_TITLES[EscalationTarget.LABOUR_INSPECTORATE] == (
        "Report to the labour inspectorate"
    )


# The employment ladder.


def test_the_ladder_is_declared_worst_to_best() -> None:
    ranks = [LADDER_RANK[status] for status in EmploymentStatus]
    assert ranks == sorted(ranks)
    assert set(LADDER_RANK) == set(EmploymentStatus)
    assert LADDER_RANK[E.EXPLOITED] < LADDER_RANK[E.INFORMAL] < LADDER_RANK[E.UNEMPLOYED_SEEKING]
    assert LADDER_RANK[E.IN_TRAINING] < LADDER_RANK[E.PRECARIOUS_FORMAL]
    assert LADDER_RANK[E.FORMAL_EMPLOYMENT] == LADDER_RANK[E.SELF_EMPLOYED]
    assert {E.FORMAL_EMPLOYMENT, E.SELF_EMPLOYED} == FORMAL
    assert max(LADDER_RANK.values()) == LADDER_RANK[E.FORMAL_EMPLOYMENT]


def test_transitions_ignore_repeats_and_follow_dates() -> None:
    history = [
        (day(30), E.INFORMAL),
        (day(0), E.EXPLOITED),
        (day(10), E.EXPLOITED),
        (day(60), E.FORMAL_EMPLOYMENT),
        (day(40), E.INFORMAL),
        (day(90), E.FORMAL_EMPLOYMENT),
    ]
    assert transitions(history) == [
        Transition(E.EXPLOITED, E.INFORMAL, day(30)),
        Transition(E.INFORMAL, E.FORMAL_EMPLOYMENT, day(60)),
    ]
    assert all(change.upward for change in transitions(history))
    assert transitions([]) == []
    assert transitions([(D, E.INACTIVE)]) == []
    assert not Transition(E.FORMAL_EMPLOYMENT, E.SELF_EMPLOYED, D).upward
    assert not Transition(E.FORMAL_EMPLOYMENT, E.INFORMAL, D).upward


def test_same_day_statuses_keep_the_order_recorded() -> None:
    history = [(D, E.INFORMAL), (D, E.UNEMPLOYED_SEEKING), (D, E.IN_TRAINING)]
    assert [(c.from_status, c.to_status) for c in transitions(history)] == [
        (E.INFORMAL, E.UNEMPLOYED_SEEKING),
        (E.UNEMPLOYED_SEEKING, E.IN_TRAINING),
    ]


@given(st.lists(st.tuples(st.integers(0, 400).map(day), st.sampled_from(EmploymentStatus))))
def test_transitions_are_changes_in_date_order(history: list[tuple[date, E]]) -> None:
    changes = transitions(history)
    assert all(c.from_status != c.to_status for c in changes)
    assert [c.on for c in changes] == sorted(c.on for c in changes)
    for before, after in pairwise(changes):
        assert before.to_status == after.from_status
    if changes:
        ordered = sorted(history, key=lambda entry: entry[0])
        assert changes[0].from_status == ordered[0][1]
        assert changes[-1].to_status == ordered[-1][1]


@pytest.mark.parametrize(("old", "new"), list(product([None, *EmploymentStatus], EmploymentStatus)))
def test_placement(old: E | None, new: E) -> None:
    expected = old is not None and old not in PLACED and new in PLACED
    assert is_placement(old, new) is expected


def test_placement_examples() -> None:
    assert is_placement(E.INFORMAL, E.FORMAL_EMPLOYMENT)
    assert is_placement(E.IN_TRAINING, E.PRECARIOUS_FORMAL)
    assert is_placement(E.UNEMPLOYED_SEEKING, E.SELF_EMPLOYED)
    assert not is_placement(E.PRECARIOUS_FORMAL, E.FORMAL_EMPLOYMENT)
    assert not is_placement(None, E.FORMAL_EMPLOYMENT)
    assert not is_placement(E.EXPLOITED, E.INFORMAL)


@pytest.mark.parametrize(
    ("placed_on", "expected"),
    [
        (date(2024, 1, 15), [date(2024, 4, 15), date(2024, 7, 15), date(2025, 1, 15)]),
        (date(2023, 11, 30), [date(2024, 2, 29), date(2024, 5, 30), date(2024, 11, 30)]),
        (date(2024, 8, 31), [date(2024, 11, 30), date(2025, 2, 28), date(2025, 8, 31)]),
        (date(2024, 2, 29), [date(2024, 5, 29), date(2024, 8, 29), date(2025, 2, 28)]),
        (date(2024, 10, 31), [date(2025, 1, 31), date(2025, 4, 30), date(2025, 10, 31)]),
    ],
)
def test_follow_up_dates(placed_on: date, expected: list[date]) -> None:
    assert follow_up_dates(placed_on) == list(zip((3, 6, 12), expected, strict=True))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 240))
def test_add_months(start: date, months: int) -> None:
    later = add_months(start, months)
    assert (later.year - start.year) * 12 + later.month - start.month == months
    last_day = calendar.monthrange(later.year, later.month)[1]
    assert later.day == min(start.day, last_day)


def test_days_to_first_formal() -> None:
    opened = day(0)
    history = [(day(-20), E.INFORMAL), (day(30), E.IN_TRAINING), (day(75), E.FORMAL_EMPLOYMENT)]
    assert days_to_first_formal(opened, history) == 75
    # Already formal when first recorded: not the pathway's doing.
    assert days_to_first_formal(opened, [(day(0), E.FORMAL_EMPLOYMENT)]) is None
    # A precarious contract is not formal by default, and can be made to count.
    precarious = [(day(0), E.INFORMAL), (day(20), E.PRECARIOUS_FORMAL), (day(50), E.SELF_EMPLOYED)]
    assert days_to_first_formal(opened, precarious) == 50
    assert days_to_first_formal(opened, precarious, statuses=PLACED) == 20
    # A move into formal work before the pathway opened does not count; the later return does.
    again = [(day(-30), E.INFORMAL), (day(-10), E.FORMAL_EMPLOYMENT)]
    again += [(day(5), E.UNEMPLOYED_SEEKING), (day(40), E.FORMAL_EMPLOYMENT)]
    assert days_to_first_formal(opened, again) == 40
    assert days_to_first_formal(opened, [(day(0), E.INFORMAL)]) is None
    assert days_to_first_formal(opened, []) is None
    # Formal to self-employed is no first move into formal work.
    both = [(day(-5), E.FORMAL_EMPLOYMENT), (day(10), E.SELF_EMPLOYED)]
    assert days_to_first_formal(opened, both) is None
