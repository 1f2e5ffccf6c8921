"""The pairs-only solver against the seat-column solver it replaced, on instances too large to
enumerate, with near-ties a loose tolerance would miss; and its budget: a time limit or a
cancellation stops the work with ``Stopped``, never with a partial answer."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

from services.matching.domain import transport
from services.matching.domain.allocation import allocate, eligibility_matrix
from services.matching.domain.eligibility import Offer, Person
from services.matching.domain.transport import Budget, Stopped
from tests.matching.engine_data import TODAY, offers, people

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Scores a hair apart: the solver must still pick the better one.
NEAR = [0.0, 1e-15, 0.3, 0.3 + 3e-12, 0.5 - 1e-11, 0.5, 0.5 + 1e-11, 0.9, 1.0]


def seat_columns(
    persons: list[Person], catalogue: list[Offer], raw: np.ndarray, favour: float
) -> float:
    """The replaced solver, as the reference: one column per seat left, a dense
    ``linear_sum_assignment`` with cost -w on eligible pairs and 0 elsewhere."""
    eligible = eligibility_matrix(persons, catalogue, TODAY)
    vulnerability = np.array([p.vulnerability for p in persons]).reshape(-1, 1)
    weight = np.where(eligible, raw * (1 + favour * vulnerability), 0.0)
    slots = np.repeat(np.arange(len(catalogue)), [max(o.seats_left, 0) for o in catalogue])
    if slots.size == 0:
        return 0.0
    rows, cols = linear_sum_assignment(-weight[:, slots])
    return float(weight[rows, slots[cols]].sum())


def instance() -> st.SearchStrategy[tuple[list[Person], list[Offer], np.ndarray]]:
    """Up to 14 people and 6 offers (up to 3 seats each): beyond enumeration."""

    def scores(pair: tuple[list[Person], list[Offer]]) -> st.SearchStrategy[np.ndarray]:
        shape = (len(pair[0]), len(pair[1]))
        return hnp.arrays(np.float64, shape, elements=st.sampled_from(NEAR))

    pairs = st.tuples(
        st.lists(people(), min_size=1, max_size=14, unique_by=lambda p: p.beneficiary_id),
        st.lists(offers(), min_size=1, max_size=6, unique_by=lambda o: o.id),
    )
    return pairs.flatmap(lambda pair: scores(pair).map(lambda raw: (*pair, raw)))


@SETTINGS
@given(instance(), st.sampled_from([0.0, 0.5, 2.0]))
def test_the_pairs_solver_finds_the_seat_columns_optimum(
    case: tuple[list[Person], list[Offer], np.ndarray], favour: float
) -> None:
    persons, catalogue, raw = case
    result = allocate(persons, catalogue, raw, today=TODAY, favour_vulnerable=favour)
    # the gap between near-ties is >= 3e-12: a worse assignment would show
    assert result.objective == pytest.approx(
        seat_columns(persons, catalogue, raw, favour), abs=1e-13
    )
    assert result.objective >= result.greedy_objective - 1e-13
    used = [o for o in result.assignment.values() if o is not None]
    assert all(used.count(o.id) <= max(o.seats_left, 0) for o in catalogue)


@SETTINGS
@given(instance())
def test_maximin_places_as_many_as_the_plain_maximum_matching(
    case: tuple[list[Person], list[Offer], np.ndarray],
) -> None:
    persons, catalogue, raw = case
    fair = allocate(persons, catalogue, raw, today=TODAY, maximin=True)
    ones = np.ones_like(raw)  # every eligible pair worth 1: the optimum is the most placed
    most = allocate(persons, catalogue, ones, today=TODAY)
    placed = sum(1 for o in fair.assignment.values() if o is not None)
    assert placed == round(most.objective)
    if placed:
        assert fair.minimum == fair.threshold
        assert fair.minimum in raw  # exactly one of the scores, no rounding


def a_cohort() -> tuple[list[Person], list[Offer], np.ndarray]:
    persons = [Person(f"p{n}") for n in range(6)]
    catalogue = [Offer("X", "job", seats=2), Offer("Y", "job", seats=2)]
    raw = np.linspace(0.1, 0.9, 12).reshape(6, 2)
    return persons, catalogue, raw


@pytest.mark.parametrize("maximin", [False, True])
def test_a_spent_budget_stops_before_any_answer(maximin: bool) -> None:
    persons, catalogue, raw = a_cohort()
    with pytest.raises(Stopped, match="time limit"):
        allocate(persons, catalogue, raw, today=TODAY, maximin=maximin, budget=Budget(0))
    cancelled = Budget(60)
    cancelled.cancel()
    with pytest.raises(Stopped, match="cancelled"):
        allocate(persons, catalogue, raw, today=TODAY, maximin=maximin, budget=cancelled)


def test_a_budget_running_out_between_steps_stops_the_maximin() -> None:
    persons, catalogue, raw = a_cohort()
    ticks = iter(range(1000))
    # every reading of the clock is one second later: the deadline comes mid-way
    budget = Budget(3, clock=lambda: float(next(ticks)))
    with pytest.raises(Stopped):
        allocate(persons, catalogue, raw, today=TODAY, maximin=True, budget=budget)


def test_highs_gets_the_time_left_and_its_time_limit_stops_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    persons, catalogue, raw = a_cohort()
    asked: dict[str, Any] = {}

    def timed_out(*args: object, options: dict[str, float], **kwargs: object) -> SimpleNamespace:
        asked.update(options)
        return SimpleNamespace(status=1, x=None, message="Time limit reached")

    monkeypatch.setattr(transport, "linprog", timed_out)
    with pytest.raises(Stopped, match="time limit"):
        allocate(persons, catalogue, raw, today=TODAY, budget=Budget(5))
    assert 0 < asked["time_limit"] <= 5


def test_without_a_budget_highs_has_no_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    persons, catalogue, raw = a_cohort()
    real = transport.linprog  # type: ignore[attr-defined]
    asked: dict[str, Any] = {}

    def spy(*args: Any, options: dict[str, float], **kwargs: Any) -> Any:
        asked.update(options)
        return real(*args, options=options, **kwargs)

    monkeypatch.setattr(transport, "linprog", spy)
    result = allocate(persons, catalogue, raw, today=TODAY)
    assert "time_limit" not in asked
    assert sum(1 for o in result.assignment.values() if o is not None) == 4


def test_the_tiniest_weights_still_choose_the_larger() -> None:
    # scaled to the solver's range without overflowing (5e-324 is the least positive float)
    persons = [Person("a"), Person("b")]
    catalogue = [Offer("X", "job", seats=1)]
    raw = np.array([[5e-324], [1e-300]])
    result = allocate(persons, catalogue, raw, today=TODAY)
    assert result.assignment == {"a": None, "b": "X"}
    assert allocate(persons, catalogue, raw, today=TODAY, maximin=True).minimum == 1e-300


def test_an_answer_off_a_vertex_is_solved_again_by_the_dual_simplex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    persons, catalogue, raw = a_cohort()
    real = transport.linprog  # type: ignore[attr-defined]
    methods: list[str] = []

    def halfway(*args: Any, method: str, **kwargs: Any) -> Any:
        methods.append(method)
        solution = real(*args, method=method, **kwargs)
        if method == "highs-ipm":  # as an interior point left without its crossover would
            return SimpleNamespace(status=0, x=np.full_like(solution.x, 0.5), message="")
        return solution

    monkeypatch.setattr(transport, "linprog", halfway)
    result = allocate(persons, catalogue, raw, today=TODAY)
    assert methods == ["highs-ipm", "highs-ds"]
    assert sum(1 for o in result.assignment.values() if o is not None) == 4
