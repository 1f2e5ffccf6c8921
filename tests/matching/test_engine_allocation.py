"""The allocation against brute force: on small random instances every assignment (each person:
no offer or one eligible offer, within the seats) is enumerated, and the solver's objective must
equal the best one, and never fall below the greedy one. Maximin is checked against its
docstring's lexicographic definition, by enumeration too."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from services.matching.domain.allocation import Allocation, allocate
from services.matching.domain.eligibility import Offer, Person, exclusions
from tests.matching.engine_data import TODAY, offers, people

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXACT = 1e-9


@dataclass(frozen=True)
class Best:
    total: float  # the largest weighted total
    placed: int  # the most people any assignment places
    floor: float | None  # the best lowest raw score among assignments that place ``placed``
    floor_total: float  # the best total among those that place ``placed`` with that floor


def brute_force(
    persons: list[Person], catalogue: list[Offer], raw: np.ndarray, weight: np.ndarray
) -> Best:
    choices = [
        [None] + [o for o, offer in enumerate(catalogue) if not exclusions(p, offer, TODAY)]
        for p in persons
    ]
    best = Best(0.0, 0, None, 0.0)
    found: list[tuple[int, float, float]] = []  # (placed, floor, total)
    for pick in itertools.product(*choices):
        used = [o for o in pick if o is not None]
        if any(used.count(o) > catalogue[o].seats_left for o in set(used)):
            continue
        pairs = [(p, o) for p, o in enumerate(pick) if o is not None]
        total = float(sum(weight[p, o] for p, o in pairs))
        floor = min((float(raw[p, o]) for p, o in pairs), default=np.inf)
        found.append((len(pairs), floor, total))
        best = Best(max(best.total, total), 0, None, 0.0)
    placed = max(n for n, _, _ in found)
    floor = max(f for n, f, _ in found if n == placed)
    # A floor is one of the scores themselves (no arithmetic): compared exactly. With a
    # tolerance, an assignment whose lowest score is 0 would count as reaching a floor of 2e-16.
    floor_total = max(t for n, f, t in found if n == placed and f >= floor)
    return Best(best.total, placed, None if placed == 0 else floor, floor_total)


def check_feasible(result: Allocation, persons: list[Person], catalogue: list[Offer]) -> None:
    by_id = {o.id: o for o in catalogue}
    who = {p.beneficiary_id: p for p in persons}
    for assignment in (result.assignment, result.greedy_assignment):
        used = [o for o in assignment.values() if o is not None]
        assert all(used.count(o) <= by_id[o].seats_left for o in set(used))
        for person_id, offer_id in assignment.items():
            if offer_id is not None:
                assert not exclusions(who[person_id], by_id[offer_id], TODAY)


def weighted(persons: list[Person], raw: np.ndarray, favour: float) -> np.ndarray:
    vulnerability = np.array([p.vulnerability for p in persons]).reshape(-1, 1)
    return raw * (1 + favour * vulnerability)


def instance() -> st.SearchStrategy[tuple[list[Person], list[Offer], np.ndarray]]:
    """Up to 5 people and 3 offers of up to 3 seats, and a score per pair (few distinct values,
    so ties are common)."""

    def scores(pair: tuple[list[Person], list[Offer]]) -> st.SearchStrategy[np.ndarray]:
        shape = (len(pair[0]), len(pair[1]))
        values = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.7, 0.9, 1.0]) | st.floats(0, 1)
        return hnp.arrays(np.float64, shape, elements=values)

    pairs = st.tuples(
        st.lists(people(), min_size=1, max_size=5, unique_by=lambda p: p.beneficiary_id),
        st.lists(offers(), min_size=1, max_size=3, unique_by=lambda o: o.id),
    )
    return pairs.flatmap(lambda pair: scores(pair).map(lambda raw: (*pair, raw)))


@SETTINGS
@given(instance(), st.sampled_from([0.0, 0.0, 0.5, 2.0]))
def test_objective_is_the_exact_optimum_and_beats_greedy(
    case: tuple[list[Person], list[Offer], np.ndarray], favour: float
) -> None:
    persons, catalogue, raw = case
    result = allocate(persons, catalogue, raw, today=TODAY, favour_vulnerable=favour)
    check_feasible(result, persons, catalogue)
    best = brute_force(persons, catalogue, raw, weighted(persons, raw, favour))
    assert result.objective == pytest.approx(best.total, abs=EXACT)
    assert result.objective >= result.greedy_objective - EXACT
    assert set(result.reasons) == {p.beneficiary_id for p in persons}


@SETTINGS
@given(instance(), st.sampled_from([0.0, 1.0]))
# Once a flake: the lowest score reachable is 2e-16, and a total of 1.0 needs a pair scoring 0.
@example(
    case=(
        [Person("a"), Person("b")],
        [Offer("X", "job"), Offer("Y", "job")],
        np.array([[2e-16, 0.0], [1.0, 2e-16]]),
    ),
    favour=0.0,
)
def test_maximin_is_lexicographic(
    case: tuple[list[Person], list[Offer], np.ndarray], favour: float
) -> None:
    persons, catalogue, raw = case
    result = allocate(persons, catalogue, raw, today=TODAY, favour_vulnerable=favour, maximin=True)
    check_feasible(result, persons, catalogue)
    best = brute_force(persons, catalogue, raw, weighted(persons, raw, favour))
    placed = sum(1 for offer in result.assignment.values() if offer is not None)
    assert placed == best.placed
    assert result.minimum == best.floor  # exactly: one of the scores
    assert result.threshold == best.floor
    assert result.objective == pytest.approx(best.floor_total, abs=EXACT)


def test_maximin_lifts_the_worst_off() -> None:
    # a fits X (0.9) and Y (0.2); b may only take X (no Italian for Y). The plain optimum gives X
    # to a and leaves b out (0.9 > 0.2 + 0.6); maximin places both first.
    persons = [Person("a", languages={"it": "B1"}), Person("b")]
    catalogue = [Offer("X", "job"), Offer("Y", "job", min_language=("it", "A1"))]
    raw = np.array([[0.9, 0.2], [0.6, 0.7]])
    plain = allocate(persons, catalogue, raw, today=TODAY)
    assert plain.assignment == {"a": "X", "b": None}
    assert plain.objective == pytest.approx(0.9)
    fair = allocate(persons, catalogue, raw, today=TODAY, maximin=True)
    assert fair.assignment == {"a": "Y", "b": "X"}
    assert fair.minimum == pytest.approx(0.2)
    assert fair.objective == pytest.approx(0.8)
    assert fair.greedy_objective == pytest.approx(0.9)
    assert "0.90, X" in fair.reasons["a"]


def test_favouring_the_vulnerable_changes_who_gets_the_seat() -> None:
    persons = [Person("a", vulnerability=0.0), Person("b", vulnerability=1.0)]
    catalogue = [Offer("X", "job")]
    raw = np.array([[0.8], [0.6]])
    assert allocate(persons, catalogue, raw, today=TODAY).assignment == {"a": "X", "b": None}
    favoured = allocate(persons, catalogue, raw, today=TODAY, favour_vulnerable=1.0)
    assert favoured.assignment == {"a": None, "b": "X"}
    assert favoured.objective == pytest.approx(1.2)
    with pytest.raises(ValueError, match="favour_vulnerable"):
        allocate(persons, catalogue, raw, today=TODAY, favour_vulnerable=-1)


def test_reasons_say_why() -> None:
    persons = [Person("a"), Person("b"), Person("c", languages={"it": "A1"})]
    catalogue = [Offer("X", "job"), Offer("Y", "job", min_language=("it", "A1"))]
    raw = np.array([[0.9, 0.4], [0.5, 0.3], [0.95, 0.8]])
    result = allocate(persons, catalogue, raw, today=TODAY)
    assert result.assignment == {"a": "X", "b": None, "c": "Y"}
    assert result.reasons["a"] == "best eligible score 0.90"
    assert result.reasons["b"] == "the seats of every eligible offer went to others"
    assert result.reasons["c"] == (
        "score 0.80; their best (0.95, X) went to others for a higher total"
    )
    lonely = allocate([Person("d")], catalogue[1:], raw[:1, 1:], today=TODAY)
    assert lonely.reasons["d"] == "no eligible offer"


def half(person: Person, offer: Offer) -> float:
    return 0.5


def test_a_callable_score_and_empty_inputs() -> None:
    persons = [Person("a"), Person("b")]
    catalogue = [Offer("X", "job", seats=2)]
    result = allocate(persons, catalogue, half, today=TODAY)
    assert result.assignment == {"a": "X", "b": "X"}
    assert result.objective == pytest.approx(1.0)
    empty = allocate([], catalogue, np.zeros((0, 1)), today=TODAY)
    assert empty.assignment == {}
    assert empty.objective == 0
    nothing = allocate(persons, [], np.zeros((2, 0)), today=TODAY, maximin=True)
    assert nothing.assignment == {"a": None, "b": None}
    with pytest.raises(ValueError, match="score matrix"):
        allocate(persons, catalogue, np.zeros((1, 1)), today=TODAY)


def test_scores_outside_the_unit_interval_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        allocate([Person("a")], [Offer("X", "job")], np.array([[1.5]]), today=date(2027, 1, 1))
