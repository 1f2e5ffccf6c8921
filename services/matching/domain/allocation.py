"""Assigning scarce seats to a cohort: exact, never breaking an eligibility rule.

The problem: maximise the total of w(p, o) = score(p, o) * (1 + favour_vulnerable *
vulnerability(p)) over assignments where every person gets at most one offer, no offer gets more
people than its seats left, and only eligible pairs (``exclusions`` empty) are ever used. A pair
scoring 0 adds nothing and is left out of the plain optimum.

The solver works on the eligible pairs only (``transport``): a transportation LP, one variable a
pair and one constraint a person or an offer, solved by HiGHS; its matrix is totally unimodular,
so the optimum is an assignment, checked in integers. Memory and time grow with the eligible
pairs, not with the seats (an earlier solver expanded every seat into a dense column).

``maximin=True`` is lexicographic, over the raw scores (how well the worst-off placed person is
matched; the totals use the vulnerability weights):

1. place as many people as any eligible assignment can (k, a maximum bipartite matching);
2. among the assignments that place k, make the lowest score as high as possible: the threshold
   t is the highest score such that the eligible pairs scoring >= t still place k (a binary
   search over the scores; each step a maximum flow, ``scipy.sparse.csgraph.maximum_flow``);
3. among those, the largest total: the LP on the pairs scoring >= t with the number placed held
   at exactly k (a constraint, not a bonus added to the weights: a bonus large enough to count
   people swamps the small differences between totals in floating point).

Each level is solved exactly on its own, so no level's rounding reaches the next.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray

from services.matching.domain import transport
from services.matching.domain.eligibility import Offer, OfferRules, Person
from services.matching.domain.ranker import OfferIndex, id_ranks
from services.matching.domain.scoring import Weights
from services.matching.domain.transport import UNLIMITED, Budget

Score = Callable[[Person, Offer], float] | NDArray[np.float64]
SOLVER = transport.SOLVER
TOLERANCE = 1e-9  # scores a rounding error outside [0, 1] are clipped, not refused
GREEDY_CHUNK = 4096
CHECK_EVERY = 64  # people scored between two checks of the budget


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


@dataclass(frozen=True)
class Edges:
    """The usable pairs (eligible, with a score), aligned: ``person[i]`` may take
    ``offer[i]``, with raw score ``raw[i]`` and weight ``weight[i]``; ordered by person, then
    offer."""

    person: NDArray[np.intp]
    offer: NDArray[np.intp]
    raw: NDArray[np.float64]
    weight: NDArray[np.float64]


def score_matrix(
    index: OfferIndex,
    people: Sequence[Person],
    today: date,
    weights: Weights | None = None,
    budget: Budget = UNLIMITED,
) -> NDArray[np.float64]:
    """Scores of every person for every offer of ``index`` (rows: people; columns: the offers in
    the order the index was built from), one vectorised pass per person; ``budget`` is checked
    every ``CHECK_EVERY`` people."""
    weights = weights or Weights()
    matrix = np.zeros((len(people), len(index.offers)))
    for row, person in enumerate(people):
        if row % CHECK_EVERY == 0:
            budget.check()
        matrix[row] = index.scores(person, today, weights)
    return matrix


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
    eligible: NDArray[np.bool_] | None = None,
    budget: Budget = UNLIMITED,
) -> Allocation:
    """The exact best assignment (see the module's docstring), the greedy one for comparison,
    and why each person got their offer or none. ``score``: a people x offers matrix in [0, 1]
    (NaN: no score, the pair is not used) or a function called on the eligible pairs.
    ``eligible``: the caller's ``eligibility_matrix``, if it already has it. ``budget``: raises
    ``transport.Stopped`` when it runs out or is cancelled."""
    if not (math.isfinite(favour_vulnerable) and favour_vulnerable >= 0):
        raise ValueError("favour_vulnerable must be finite and >= 0")
    if eligible is None:
        eligible = eligibility_matrix(people, offers, today)
    edges = _edges(people, offers, score, eligible, favour_vulnerable)
    # A seat only matters if someone eligible could take it.
    seats = np.array([offer.seats_left for offer in offers], dtype=np.int64).reshape(-1)
    seats = np.clip(np.minimum(seats, np.bincount(edges.offer, minlength=len(offers))), 0, None)
    budget.check()
    threshold = None
    if maximin:
        chosen, threshold = _maximin(edges, seats, len(people), budget)
    else:
        positive = edges.weight > 0
        chosen = np.zeros(edges.person.size, dtype=bool)
        chosen[positive] = transport.best(
            edges.person[positive],
            edges.offer[positive],
            edges.weight[positive],
            seats,
            len(people),
            budget=budget,
        )
    budget.check()
    greedy = _greedy(edges, seats, id_ranks([p.beneficiary_id for p in people]))
    return Allocation(
        assignment=_named(people, offers, edges, chosen),
        # summed in the order of the pairs (by person, then offer), as Python's sum
        objective=float(sum(edges.weight[chosen].tolist())),
        greedy_objective=float(sum(edges.weight[greedy].tolist())),
        reasons=_reasons(people, offers, edges, chosen, threshold),
        minimum=float(edges.raw[chosen].min()) if chosen.any() else None,
        threshold=threshold,
        greedy_assignment=_named(people, offers, edges, greedy),
    )


def _edges(
    people: Sequence[Person],
    offers: Sequence[Offer],
    score: Score,
    eligible: NDArray[np.bool_],
    favour_vulnerable: float,
) -> Edges:
    """The eligible pairs with a score, as aligned arrays (the dense matrices end here)."""
    if eligible.shape != (len(people), len(offers)):
        raise ValueError(f"eligibility is {eligible.shape}, expected {(len(people), len(offers))}")
    if callable(score):
        person, offer = np.nonzero(eligible)
        raw = np.array(
            [
                score(people[p], offers[o])
                for p, o in zip(person.tolist(), offer.tolist(), strict=True)
            ],
            dtype=np.float64,
        )
    else:
        matrix = np.asarray(score, dtype=np.float64)
        if matrix.shape != eligible.shape:
            raise ValueError(f"score matrix is {matrix.shape}, expected {eligible.shape}")
        person, offer = np.nonzero(eligible)
        raw = matrix[person, offer]
    scored = ~np.isnan(raw)
    person, offer, raw = person[scored], offer[scored], raw[scored]
    if raw.size and not (raw.min() >= -TOLERANCE and raw.max() <= 1 + TOLERANCE):
        raise ValueError("scores must be in [0, 1]")
    raw = np.clip(raw, 0.0, 1.0)
    vulnerability = np.clip(
        np.nan_to_num(np.array([p.vulnerability for p in people], dtype=np.float64)), 0.0, 1.0
    )
    weight = raw * (1.0 + favour_vulnerable * vulnerability[person])
    return Edges(person.astype(np.intp), offer.astype(np.intp), raw, weight)


def _maximin(
    edges: Edges, seats: NDArray[np.int64], people: int, budget: Budget
) -> tuple[NDArray[np.bool_], float | None]:
    """The pairs of the lexicographic maximin (the module's docstring), one exact level at a
    time, and its threshold (None when nobody can be placed)."""
    chosen = np.zeros(edges.person.size, dtype=bool)
    most = transport.placed(edges.person, edges.offer, seats, people)
    if most == 0:
        return chosen, None
    budget.check()
    floor = transport.threshold(edges.raw, edges.person, edges.offer, seats, people, most, budget)
    strong = edges.raw >= floor
    chosen[strong] = transport.best(
        edges.person[strong],
        edges.offer[strong],
        edges.weight[strong],
        seats,
        people,
        exactly=most,
        budget=budget,
    )
    return chosen, floor


def _greedy(edges: Edges, seats: NDArray[np.int64], tie: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Best pair first (ties: person id, then offer order), for comparison; which pairs it
    takes. The pairs are walked in chunks; after each, the pairs of people placed and offers
    filled are dropped."""
    pair = np.flatnonzero(edges.weight > 0)
    pair = pair[np.lexsort((edges.offer[pair], tie[edges.person[pair]], -edges.weight[pair]))]
    left = seats.copy()
    taken = np.zeros(tie.size, dtype=bool)
    chosen = np.zeros(edges.person.size, dtype=bool)
    while pair.size:
        chunk = pair[: min(pair.size, GREEDY_CHUNK)]
        for e, p, o in zip(
            chunk.tolist(),
            edges.person[chunk].tolist(),
            edges.offer[chunk].tolist(),
            strict=True,
        ):
            if not taken[p] and left[o] > 0:
                taken[p] = True
                left[o] -= 1
                chosen[e] = True
        pair = pair[chunk.size :]
        pair = pair[~taken[edges.person[pair]] & (left[edges.offer[pair]] > 0)]
    return chosen


def _named(
    people: Sequence[Person], offers: Sequence[Offer], edges: Edges, chosen: NDArray[np.bool_]
) -> dict[str, str | None]:
    assignment: dict[str, str | None] = {person.beneficiary_id: None for person in people}
    for p, o in zip(edges.person[chosen].tolist(), edges.offer[chosen].tolist(), strict=True):
        assignment[people[p].beneficiary_id] = offers[o].id
    return assignment


def _reasons(
    people: Sequence[Person],
    offers: Sequence[Offer],
    edges: Edges,
    chosen: NDArray[np.bool_],
    threshold: float | None,
) -> dict[str, str]:
    count = len(people)
    # each person's best eligible pair by weight (ties: the first offer)
    order = np.lexsort((edges.offer, -edges.weight, edges.person))
    sorted_people = edges.person[order]
    first = order[np.diff(sorted_people, prepend=-1) != 0]
    best = np.full(count, -1, dtype=np.intp)
    best[edges.person[first]] = first
    top = np.full(count, -np.inf)
    np.maximum.at(top, edges.person, edges.raw)
    positive = np.bincount(edges.person, weights=edges.weight > 0, minlength=count) > 0
    given = np.full(count, -1, dtype=np.intp)
    given[edges.person[chosen]] = np.flatnonzero(chosen)
    why = "to place more people or lift the lowest score" if threshold is not None else (
        "for a higher total"
    )  # fmt: skip
    reasons = {}
    for p, person in enumerate(people):
        if given[p] >= 0:
            e, b = int(given[p]), int(best[p])
            if edges.weight[e] >= edges.weight[b] - 1e-12:
                text = f"best eligible score {edges.raw[e]:.2f}"
            else:
                text = (
                    f"score {edges.raw[e]:.2f}; their best ({edges.raw[b]:.2f}, "
                    f"{offers[edges.offer[b]].id}) went to others {why}"
                )
        elif best[p] < 0:
            text = "no eligible offer"
        elif threshold is not None and top[p] < threshold:
            text = f"every eligible offer scores below the maximin threshold {threshold:.2f}"
        elif threshold is None and not positive[p]:
            text = "every eligible offer scores 0"
        else:
            text = "the seats of every eligible offer went to others"
        reasons[person.beneficiary_id] = text
    return reasons
