"""The capacitated assignment over the eligible pairs only: a transportation LP solved by HiGHS,
maximum flows for the maximin's counts, and a budget that stops the work when its time is up or
its caller has gone.

Every function takes the eligible pairs as three aligned arrays (``person``, ``offer`` and a value
per pair) and ``seats`` per offer, so memory grows with the pairs, never with the seats: an offer
of 1,000 seats is one constraint row, not 1,000 columns.

The LP (``x`` per pair, in [0, 1]): maximise sum(w x) subject to each person's pairs summing to
at most 1 and each offer's to at most its seats (and, for the maximin, all pairs to exactly k).
Its constraint matrix is the incidence matrix of a bipartite graph (plus, for the maximin, a row
of ones), which is totally unimodular: every vertex is integral, and HiGHS ends on a vertex
(the interior point method's crossover, or the dual simplex). The answer is still rounded and
checked against every constraint, so a solver's tolerance can never hand back an infeasible
assignment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray
from scipy.optimize import linprog  # type: ignore[import-untyped]
from scipy.sparse.csgraph import maximum_flow  # type: ignore[import-untyped]

SOLVER = "HiGHS on the eligible pairs (transportation LP), SciPy"
# HiGHS's tolerances are absolute: the weights are scaled so that the largest is ``SCALE``, and
# the tightest dual tolerance, 1e-10, then tells apart totals 1e-14 of the largest weight apart
# (weights in [0, 1] closer than that differ in their last digits only), while the rounding
# errors of the scaled costs (~1e-12) stay far below it.
TOLERANCE = 1e-10
SCALE = 1e4
# The interior point method with its crossover to a vertex: in the benchmark about two thirds of
# the dual simplex's CPU and four fifths of its memory. Should its answer not be a vertex, the
# dual simplex (which always ends on one) solves again.
METHODS = ("highs-ipm", "highs-ds")
INTEGRAL = 1e-6  # an LP value this close to 0 or 1 is that integer (a vertex is exactly 0 or 1)


class Stopped(Exception):
    """The work stopped before its end: its time limit came, or its caller went away."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Budget:
    """How long the work may run, and whether its caller still wants it. ``cancel`` may be
    called from another thread (the request's, when its client disconnects); the work calls
    ``check`` between its steps and gives HiGHS ``left()`` as its time limit."""

    def __init__(
        self, seconds: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._deadline = None if seconds is None else clock() + seconds
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def left(self) -> float | None:
        return None if self._deadline is None else self._deadline - self._clock()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise Stopped("cancelled")
        left = self.left()
        if left is not None and left <= 0:
            raise Stopped("time limit")


UNLIMITED = Budget()


def placed(
    person: NDArray[np.intp], offer: NDArray[np.intp], seats: NDArray[np.int64], people: int
) -> int:
    """The most people an assignment on these pairs places within the seats: a maximum flow
    source -> person (1) -> offer (1) -> sink (seats), exact in integers."""
    if person.size == 0:
        return 0
    offers = seats.size
    source, sink = people + offers, people + offers + 1
    starts = np.unique(person)
    rows = np.concatenate([np.full(starts.size, source), person, people + np.arange(offers)])
    cols = np.concatenate([starts, people + offer, np.full(offers, sink)])
    capacity = np.concatenate(
        [np.ones(starts.size + person.size, dtype=np.int32), seats.astype(np.int32)]
    )
    graph = sp.csr_matrix((capacity, (rows, cols)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, source, sink, method="dinic").flow_value)


def threshold(
    values: NDArray[np.float64],
    person: NDArray[np.intp],
    offer: NDArray[np.intp],
    seats: NDArray[np.int64],
    people: int,
    needed: int,
    budget: Budget = UNLIMITED,
) -> float:
    """The highest t among ``values`` such that the pairs with value >= t still place
    ``needed`` people: a binary search over the distinct values, one maximum flow a step. The
    comparisons are on the scores themselves, so no rounding enters the maximin."""
    candidates = np.unique(values)  # candidates[0] is feasible: every pair is kept
    low, high = 0, candidates.size - 1
    while low < high:
        budget.check()
        middle = (low + high + 1) // 2
        keep = values >= candidates[middle]
        if placed(person[keep], offer[keep], seats, people) >= needed:
            low = middle
        else:
            high = middle - 1
    return float(candidates[low])


def best(
    person: NDArray[np.intp],
    offer: NDArray[np.intp],
    weight: NDArray[np.float64],
    seats: NDArray[np.int64],
    people: int,
    *,
    exactly: int | None = None,
    budget: Budget = UNLIMITED,
) -> NDArray[np.bool_]:
    """Which pairs a maximum-weight assignment uses (each person at most once, each offer at
    most its seats; with ``exactly``, that many people placed, which must be feasible)."""
    chosen = np.zeros(person.size, dtype=bool)
    if person.size == 0 or exactly == 0:
        return chosen
    budget.check()
    pairs = np.arange(person.size)
    ones = np.ones(person.size)
    rows = sp.vstack(
        [
            sp.csr_matrix((ones, (person, pairs)), shape=(people, person.size)),
            sp.csr_matrix((ones, (offer, pairs)), shape=(seats.size, person.size)),
        ],
        format="csc",
    )
    limits = np.concatenate([np.ones(people), seats.astype(np.float64)])
    equal = {} if exactly is None else {"A_eq": sp.csc_matrix(ones), "b_eq": [float(exactly)]}
    # (weights all below 1e-12 are scaled by at most 1e16: a subnormal one must not make inf)
    cost = -weight * (SCALE / max(float(weight.max(initial=0.0)), 1e-12))
    for method in METHODS:
        options: dict[str, float] = {
            "primal_feasibility_tolerance": TOLERANCE,
            "dual_feasibility_tolerance": TOLERANCE,
        }
        left = budget.left()
        if left is not None:
            options["time_limit"] = max(left, 0.01)
        solution = linprog(
            cost,
            A_ub=rows,
            b_ub=limits,
            bounds=(0, 1),
            method=method,
            options=options,
            **equal,
        )
        budget.check()
        if solution.status == 1:  # iteration or time limit
            raise Stopped("time limit")
        if solution.status != 0 or solution.x is None:
            raise ArithmeticError(f"the assignment LP failed: {solution.message}")
        rounded = np.round(solution.x)
        if np.abs(solution.x - rounded).max() <= INTEGRAL:
            break
    else:
        raise ArithmeticError("the assignment LP ended off a vertex")
    chosen = np.asarray(rounded == 1, dtype=bool)
    _check(person[chosen], offer[chosen], seats, people, exactly)
    return chosen


def _check(
    person: NDArray[np.intp],
    offer: NDArray[np.intp],
    seats: NDArray[np.int64],
    people: int,
    exactly: int | None,
) -> None:
    """The rounded assignment keeps every constraint, in integers."""
    if np.bincount(person, minlength=people).max(initial=0) > 1:
        raise ArithmeticError("the assignment gives someone two offers")
    if np.any(np.bincount(offer, minlength=seats.size) > seats):
        raise ArithmeticError("the assignment overfills an offer")
    if exactly is not None and person.size != exactly:
        raise ArithmeticError(f"the assignment places {person.size}, not {exactly}")
