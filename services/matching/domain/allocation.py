"""Assigning scarce seats to a cohort: exact, never breaking an eligibility rule.

The problem: maximise the total of w(p, o) = score(p, o) * (1 + favour_vulnerable *
vulnerability(p)) over assignments where every person gets at most one offer, no offer gets more
people than its seats left, and only eligible pairs (``exclusions`` empty) are ever used. A pair
scoring 0 adds nothing and is left out of the plain optimum.

The solver: each offer becomes one column per seat left (capped at the number of people eligible
for it: a seat nobody can take is never a column), and ``scipy.optimize.linear_sum_assignment``
solves the dense rectangular problem with cost -w on eligible edges and 0 elsewhere. A 0-cost
edge is the same as "no offer", so dropping the forced ineligible pairs afterwards loses nothing
and the result is the exact optimum of the partial problem.

``maximin=True`` is lexicographic, over the raw scores (how well the worst-off placed person is
matched; the totals use the vulnerability weights):

1. place as many people as any eligible assignment can (k, a maximum bipartite matching);
2. among the assignments that place k, make the lowest score as high as possible: the threshold
   t is the highest score such that the eligible edges scoring >= t still place k (a binary
   search over the scores; each step a maximum flow, ``scipy.sparse.csgraph.maximum_flow``,
   source -> people (1) -> offers (1 per eligible pair) -> sink (seats left));
3. among those, the largest total: the solver again on the edges >= t, each worth a bonus that
   makes one more placed person worth more than any change in the total.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]
from scipy.sparse.csgraph import maximum_flow  # type: ignore[import-untyped]

from services.matching.domain.eligibility import Offer, OfferRules, Person
from services.matching.domain.ranker import OfferIndex, id_ranks
from services.matching.domain.scoring import Weights

Score = Callable[[Person, Offer], float] | NDArray[np.float64]
Pairs = list[tuple[int, int]]
SOLVER = "scipy.optimize.linear_sum_assignment on seat columns (dense)"
TOLERANCE = 1e-9  # scores a rounding error outside [0, 1] are clipped, not refused
GREEDY_CHUNK = 4096


@dataclass
class Allocation:
    assignment: dict[str, str | None]
    objective: float
    greedy_objective: float
    reasons: dict[str, str]
    minimum: float | None = None  # the lowest raw score among assigned people
    threshold: float | None = None  # maximin only: every assigned score is >= this
    greedy_assignment: dict[str, str | None] = field(default_factory=dict)
    solver: str = SOLVER


def score_matrix(
    index: OfferIndex, people: Sequence[Person], today: date, weights: Weights | None = None
) -> NDArray[np.float64]:
    """Scores of every person for every offer of ``index`` (rows: people; columns: the offers in
    the order the index was built from), one vectorised pass per person."""
    weights = weights or Weights()
    if not people:
        return np.zeros((0, len(index.offers)))
    return np.vstack([index.scores(person, today, weights) for person in people])


def eligibility_matrix(
    people: Sequence[Person], offers: Sequence[Offer], today: date
) -> NDArray[np.bool_]:
    rules = OfferRules(offers)
    if not people:
        return np.zeros((0, len(offers)), dtype=bool)
    return np.vstack([rules.mask(person, today) for person in people])


def allocate(
    people: Sequence[Person],
    offers: Sequence[Offer],
    score: Score,
    *,
    today: date,
    favour_vulnerable: float = 0.0,
    maximin: bool = False,
) -> Allocation:
    """The exact best assignment (see the module's docstring), the greedy one for comparison,
    and why each person got their offer or none. ``score``: a people x offers matrix in [0, 1]
    (NaN: no score, the pair is not used) or a function called on the eligible pairs."""
    if not (math.isfinite(favour_vulnerable) and favour_vulnerable >= 0):
        raise ValueError("favour_vulnerable must be finite and >= 0")
    eligible = eligibility_matrix(people, offers, today)
    raw = _scores(people, offers, score, eligible)
    eligible &= ~np.isnan(raw)
    raw = np.where(eligible, np.clip(np.nan_to_num(raw), 0.0, 1.0), 0.0)
    vulnerability = np.clip(
        np.nan_to_num(np.array([p.vulnerability for p in people], dtype=np.float64)), 0.0, 1.0
    )
    weight = raw * (1.0 + favour_vulnerable * vulnerability[:, np.newaxis])
    # A seat only matters if someone eligible could take it.
    seats = np.array([offer.seats_left for offer in offers], dtype=np.int64)
    seats = np.minimum(seats, eligible.sum(axis=0))
    slots = np.repeat(np.arange(len(offers)), seats)
    threshold = None
    if maximin:
        person, offer = np.nonzero(eligible)
        placed = _placed(person, offer, seats)
        if placed:
            threshold = _threshold(raw[person, offer], person, offer, seats, placed)
        strong = eligible & (raw >= threshold) if threshold is not None else eligible
        # one more placed person is worth more than any total of the others' weights
        bonus = 1.0 + float(weight.max(initial=0.0)) * placed
        pairs = _solve(weight, strong, slots, bonus=bonus)
    else:
        pairs = _solve(weight, eligible & (weight > 0), slots, bonus=0.0)
    greedy = _greedy(weight, eligible, seats, id_ranks([p.beneficiary_id for p in people]))
    return Allocation(
        assignment=_named(people, offers, pairs),
        objective=float(sum(weight[p, o] for p, o in pairs)),
        greedy_objective=float(sum(weight[p, o] for p, o in greedy)),
        reasons=_reasons(people, offers, pairs, raw, weight, eligible, threshold),
        minimum=min((float(raw[p, o]) for p, o in pairs), default=None),
        threshold=threshold,
        greedy_assignment=_named(people, offers, greedy),
    )


def _scores(
    people: Sequence[Person], offers: Sequence[Offer], score: Score, eligible: NDArray[np.bool_]
) -> NDArray[np.float64]:
    if callable(score):
        matrix = np.full(eligible.shape, np.nan)
        for p, o in zip(*np.nonzero(eligible), strict=True):
            matrix[p, o] = score(people[p], offers[o])
    else:
        matrix = np.asarray(score, dtype=np.float64)
        if matrix.shape != eligible.shape:
            raise ValueError(f"score matrix is {matrix.shape}, expected {eligible.shape}")
    used = matrix[eligible & ~np.isnan(matrix)]
    if used.size and not (used.min() >= -TOLERANCE and used.max() <= 1 + TOLERANCE):
        raise ValueError("scores must be in [0, 1]")
    return matrix


def _placed(person: NDArray[np.intp], offer: NDArray[np.intp], seats: NDArray[np.int64]) -> int:
    """The most people an assignment on these (person, offer) edges places within the seats:
    a maximum flow source -> person (1) -> offer (1) -> sink (seats)."""
    if person.size == 0:
        return 0
    people = int(person.max()) + 1
    offers = seats.size
    source, sink = people + offers, people + offers + 1
    edges = np.unique(person)
    rows = np.concatenate([np.full(edges.size, source), person, people + np.arange(offers)])
    cols = np.concatenate([edges, people + offer, np.full(offers, sink)])
    capacity = np.concatenate(
        [np.ones(edges.size + person.size, dtype=np.int32), seats.astype(np.int32)]
    )
    graph = sp.csr_matrix((capacity, (rows, cols)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, source, sink, method="dinic").flow_value)


def _solve(
    weight: NDArray[np.float64], allowed: NDArray[np.bool_], slots: NDArray[np.int64], bonus: float
) -> Pairs:
    """(person, offer) pairs of a maximum-weight assignment on the allowed edges, each edge
    worth its weight plus ``bonus``."""
    rows = np.flatnonzero(allowed[:, slots].any(axis=1)) if slots.size else np.zeros(0, int)
    if rows.size == 0:
        return []
    usable = allowed[np.ix_(rows, slots)]
    cost = weight[np.ix_(rows, slots)]
    cost += bonus
    cost[~usable] = 0.0
    np.negative(cost, out=cost)  # -(weight + bonus) on the allowed edges, 0 elsewhere
    chosen_rows, chosen_cols = linear_sum_assignment(cost)
    keep = usable[chosen_rows, chosen_cols]
    return sorted(
        zip(rows[chosen_rows[keep]].tolist(), slots[chosen_cols[keep]].tolist(), strict=True)
    )


def _threshold(
    values: NDArray[np.float64],
    person: NDArray[np.intp],
    offer: NDArray[np.intp],
    seats: NDArray[np.int64],
    needed: int,
) -> float:
    """The highest t such that the edges with raw score ``values`` >= t still place ``needed``."""
    candidates = np.unique(values)  # candidates[0] is feasible: every edge is kept
    lo, hi = 0, candidates.size - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        keep = values >= candidates[mid]
        if _placed(person[keep], offer[keep], seats) >= needed:
            lo = mid
        else:
            hi = mid - 1
    return float(candidates[lo])


def _greedy(
    weight: NDArray[np.float64],
    eligible: NDArray[np.bool_],
    seats: NDArray[np.int64],
    tie: NDArray[np.int64],
) -> Pairs:
    """Best pair first (ties: person id, then offer order), for comparison. The pairs are
    walked in chunks; after each, the pairs of people placed and offers filled are dropped."""
    person, offer = np.nonzero(eligible & (weight > 0))
    order = np.lexsort((offer, tie[person], -weight[person, offer]))
    person, offer = person[order], offer[order]
    left = seats.copy()
    taken = np.zeros(weight.shape[0], dtype=bool)
    pairs = []
    while person.size:
        chunk = min(person.size, GREEDY_CHUNK)
        for p, o in zip(person[:chunk].tolist(), offer[:chunk].tolist(), strict=True):
            if not taken[p] and left[o] > 0:
                taken[p] = True
                left[o] -= 1
                pairs.append((p, o))
        keep = ~taken[person[chunk:]] & (left[offer[chunk:]] > 0)
        person, offer = person[chunk:][keep], offer[chunk:][keep]
    return sorted(pairs)


def _named(
    people: Sequence[Person], offers: Sequence[Offer], pairs: Pairs
) -> dict[str, str | None]:
    assignment: dict[str, str | None] = {person.beneficiary_id: None for person in people}
    for p, o in pairs:
        assignment[people[p].beneficiary_id] = offers[o].id
    return assignment


def _reasons(
    people: Sequence[Person],
    offers: Sequence[Offer],
    pairs: Pairs,
    raw: NDArray[np.float64],
    weight: NDArray[np.float64],
    eligible: NDArray[np.bool_],
    threshold: float | None,
) -> dict[str, str]:
    given = dict(pairs)
    # each person's best eligible offer by weight (ties: the first offer)
    best = np.argmax(np.where(eligible, weight, -1.0), axis=1) if offers else []
    why = "to place more people or lift the lowest score" if threshold is not None else (
        "for a higher total"
    )  # fmt: skip
    reasons = {}
    for p, person in enumerate(people):
        if p in given:
            o, b = given[p], int(best[p])
            if weight[p, o] >= weight[p, b] - 1e-12:
                text = f"best eligible score {raw[p, o]:.2f}"
            else:
                text = (
                    f"score {raw[p, o]:.2f}; their best ({raw[p, b]:.2f}, {offers[b].id}) "
                    f"went to others {why}"
                )
        elif not eligible[p].any():
            text = "no eligible offer"
        elif threshold is not None and raw[p, eligible[p]].max() < threshold:
            text = f"every eligible offer scores below the maximin threshold {threshold:.2f}"
        elif threshold is None and not weight[p, eligible[p]].any():
            text = "every eligible offer scores 0"
        else:
            text = "the seats of every eligible offer went to others"
        reasons[person.beneficiary_id] = text
    return reasons
