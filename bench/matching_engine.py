"""Suite ``matching-engine``: the pure matching engine in-process, on the WHOLE official ESCO v1.1.1
(both archives in ``/work/shared/data/esco``), against ceilings measured in the same run.

- ranking: ``OfferIndex.rank(limit=20)`` for sampled people among 50,000 realistic offers; the
  ceiling is the least any skill ranker must do at that size (one sparse product of the offers'
  skills with the person's skills, and a top-20 partition);
- candidates: ``PersonIndex.candidates(limit=20)`` for one offer among 100,000 people; the same
  kind of ceiling (who holds the offer's skills, top 20);
- allocation: 5,000 people, 1,000 offers, 3,000 seats: scoring, exact solving, greedy;
- allocation-scaling: the sizes reported slow through the service (600 x 300; 1,500 x 150 with
  10,000 seats; 2,000 people), each in a fresh process: CPU seconds (every thread) and the peak
  resident memory above the process's before the solve;
- evaluation: the ranker against plain Jaccard on the labelled set (nDCG@10, P@5, MRR).

Aims on the 2-core machine: ranking p95 <= 30 ms, allocation <= 10 s.
``python -m bench.matching_engine`` runs all and prints a table.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.stack import latencies
from services.matching.domain.allocation import allocate, eligibility_matrix, score_matrix
from services.matching.domain.candidates import PersonIndex
from services.matching.domain.evaluation import evaluate
from services.matching.domain.ranker import OfferIndex
from services.matching.domain.scoring import Weights
from services.matching.domain.skillspace import SkillSpace
from services.matching.domain.taxonomy import Taxonomy
from tests.matching.engine_data import TODAY, pool, random_offers, random_people, whole_taxonomy

Rows = dict[str, dict[str, Any]]


def _seconds(started: float) -> float:
    return round(time.perf_counter() - started, 2)


def _ratio(row: dict[str, Any], ceiling: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "p50_vs_ceiling": f"{row['p50_ms'] / max(ceiling['p50_ms'], 1e-3):.1f}x",
        "p95_vs_ceiling": f"{row['p95_ms'] / max(ceiling['p95_ms'], 1e-3):.1f}x",
    }


def _top(values: NDArray[np.float64], limit: int = 20) -> NDArray[np.intp]:
    """The ``limit`` best positions, best first: a partition of the non-zero values only (a
    partition over many equal values is slow in numpy)."""
    found = np.flatnonzero(values)
    if found.size > limit:
        found = found[np.argpartition(values[found], found.size - limit)[found.size - limit :]]
    return found[np.argsort(-values[found])]


def rank_offers(
    taxonomy: Taxonomy, offers: int = 50_000, samples: int = 200, seed: int = 20
) -> Rows:
    """p50/p95 of ``OfferIndex.rank(limit=20)`` among ``offers`` realistic offers, the index
    build seconds, and the ceiling: ``required skills @ person's skills`` and a top-20."""
    source = pool(taxonomy)
    SkillSpace.of(taxonomy)  # built once per taxonomy, outside the index build time
    catalogue = random_offers(source, offers, seed=seed)
    started = time.perf_counter()
    index = OfferIndex(catalogue, taxonomy)
    build = _seconds(started)
    persons = random_people(source, samples, seed=seed + 1)
    weights = Weights()
    index.rank(persons[0], TODAY)  # warm-up
    ranked = latencies(lambda n: index.rank(persons[n], TODAY, weights=weights), samples)

    def bare(n: int) -> None:
        held = np.zeros(index.width)
        held[[index.column[u] for u in persons[n].skills if u in index.column]] = 1.0
        _top(index.required @ held)

    ceiling = latencies(bare, samples)
    return {
        f"OfferIndex.rank(limit=20), {offers:,} offers": {
            **_ratio(ranked, ceiling),
            "build_s": build,
        },
        "ceiling: sparse skill product + top-20": ceiling,
    }


def candidates(taxonomy: Taxonomy, people: int = 100_000, samples: int = 200) -> Rows:
    """p50/p95 of ``PersonIndex.candidates(limit=20)`` for one offer among ``people`` people,
    the build seconds, and the ceiling: who holds the offer's skills, and a top-20."""
    source = pool(taxonomy)
    SkillSpace.of(taxonomy)
    persons = random_people(source, people, seed=30)
    started = time.perf_counter()
    index = PersonIndex(persons, taxonomy)
    build = _seconds(started)
    catalogue = random_offers(source, samples, seed=31)
    index.candidates(catalogue[0], TODAY)  # warm-up
    listed = latencies(lambda n: index.candidates(catalogue[n], TODAY), samples)

    def bare(n: int) -> None:
        columns = [index.column[u] for u in catalogue[n].required_skills if u in index.column]
        _top(np.asarray(index.own[columns].sum(axis=0)).ravel())

    ceiling = latencies(bare, samples)
    return {
        f"PersonIndex.candidates(limit=20), {people:,} people": {
            **_ratio(listed, ceiling),
            "build_s": build,
        },
        "ceiling: holders of the offer's skills + top-20": ceiling,
    }


def allocation(
    taxonomy: Taxonomy, people: int = 5000, offers: int = 1000, seats: int = 3000
) -> Rows:
    """Seconds to score every pair, solve exactly, and run the greedy comparison (inside
    ``allocate``); plain and maximin; objectives."""
    source = pool(taxonomy)
    SkillSpace.of(taxonomy)
    persons = random_people(source, people, seed=40)
    # ``seats`` seats spread over open offers, at least one each
    rng = random.Random(41)
    counts = [1] * offers
    for _ in range(seats - offers):
        counts[rng.randrange(offers)] += 1
    catalogue = [
        replace(offer, status="open", seats=count, seats_taken=0)
        for offer, count in zip(random_offers(source, offers, seed=42), counts, strict=True)
    ]
    rows: Rows = {}
    started = time.perf_counter()
    index = OfferIndex(catalogue, taxonomy)
    scores = score_matrix(index, persons, TODAY)
    scored = _seconds(started)
    for name, maximin in (("plain", False), ("maximin", True)):
        started = time.perf_counter()
        result = allocate(persons, catalogue, scores, today=TODAY, maximin=maximin)
        solved = _seconds(started)
        placed = sum(1 for offer in result.assignment.values() if offer is not None)
        rows[f"allocate ({name}), {people:,} people x {offers:,} offers, {seats:,} seats"] = {
            "score_s": scored,
            "allocate_s": solved,
            "total_s": round(scored + solved, 2),
            "objective": round(result.objective, 2),
            "greedy_objective": round(result.greedy_objective, 2),
            "gain_vs_greedy": f"{100 * (result.objective / result.greedy_objective - 1):.2f}%",
            "placed": placed,
            "minimum": None if result.minimum is None else round(result.minimum, 3),
        }
    return rows


# (people, offers, seats). Open offers with many seats and few hard rules, so that most pairs
# are eligible: the shape of the cohorts reported to take seconds and gigabytes through matching.
SCALING = ((600, 300, 30_000), (1500, 150, 10_000), (2000, 120, 10_000))


def _catalogue(source: Any, offers: int, seats: int, seed: int) -> list[Any]:
    """``offers`` open offers (no dates, permit, language, education or age rule), with
    ``seats`` seats spread over them (at least one each)."""
    catalogue = random_offers(source, offers, seed=seed)
    rng = random.Random(seed + 1)
    counts = [1] * offers
    for _ in range(seats - offers):
        counts[rng.randrange(offers)] += 1
    return [
        replace(
            offer,
            status="open",
            seats=count,
            seats_taken=0,
            starts_on=None,
            ends_on=None,
            min_language=None,
            min_education=None,
            age_min=None,
            age_max=None,
            permit_must_allow_work=False,
        )
        for offer, count in zip(catalogue, counts, strict=True)
    ]


def _scaling_case(people: int, offers: int, seats: int, maximin: bool) -> dict[str, Any]:
    """One case in this (fresh) process: score, then solve while a thread samples the RSS."""
    import threading

    import psutil

    taxonomy = whole_taxonomy()
    source = pool(taxonomy)
    SkillSpace.of(taxonomy)
    persons = random_people(source, people, seed=50)
    catalogue = _catalogue(source, offers, seats, seed=51)
    scores = score_matrix(OfferIndex(catalogue, taxonomy), persons, TODAY)
    process = psutil.Process()
    before = peak = process.memory_info().rss
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.005):
            peak = max(peak, process.memory_info().rss)

    sampler = threading.Thread(target=sample)
    sampler.start()
    cpu, wall = time.process_time(), time.perf_counter()
    result = allocate(persons, catalogue, scores, today=TODAY, maximin=maximin)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    done.set()
    sampler.join()
    peak = max(peak, process.memory_info().rss)
    eligible = eligibility_matrix(persons, catalogue, TODAY) & ~np.isnan(scores)
    return {
        "eligible_pairs": int(eligible.sum()),
        "seats": sum(max(o.seats_left, 0) for o in catalogue),
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "rss_before_mib": round(before / 2**20),
        "peak_rss_above_mib": round((peak - before) / 2**20),
        "objective": round(result.objective, 4),
        "placed": sum(1 for offer in result.assignment.values() if offer is not None),
    }


def allocation_scaling(taxonomy: Taxonomy) -> Rows:
    """Each case of ``SCALING``, plain and maximin, in its own process (so one case's peak
    memory is not another's)."""
    del taxonomy  # each process loads its own
    import multiprocessing

    rows: Rows = {}
    context = multiprocessing.get_context("spawn")
    for people, offers, seats in SCALING:
        for maximin in (False, True):
            with context.Pool(1) as worker:
                row = worker.apply(_scaling_case, (people, offers, seats, maximin))
            name = "maximin" if maximin else "plain"
            rows[f"allocate ({name}), {people:,} people x {offers:,} offers, {seats:,} seats"] = row
    return rows


def evaluation(taxonomy: Taxonomy, people: int = 1000) -> Rows:
    """The ranker against Jaccard on the labelled set built from ``taxonomy``."""
    started = time.perf_counter()
    report = evaluate(taxonomy, people=people)
    seconds = _seconds(started)
    size = {"people": report.people, "offers": report.offers, "seconds": seconds}
    return {
        f"evaluation: {name}": {
            "ndcg_at_10": metrics.ndcg_at_10,
            "precision_at_5": metrics.precision_at_5,
            "mrr": metrics.mrr,
            **size,
        }
        for name, metrics in (("ranker", report.ranker), ("Jaccard baseline", report.jaccard))
    }


SUITE: dict[str, Callable[[Taxonomy], Rows]] = {
    "ranking": rank_offers,
    "candidates": candidates,
    "allocation": allocation,
    "allocation-scaling": allocation_scaling,
    "evaluation": evaluation,
}


def run(args: argparse.Namespace | None = None, logs: Path | None = None) -> Rows:
    """Every part on the whole taxonomy (the signature of ``bench.run``'s suites)."""
    del args, logs  # in-process: no services, no logs
    started = time.perf_counter()
    taxonomy = whole_taxonomy()
    rows: Rows = {
        "load the official ESCO v1.1.1 archives": {
            "seconds": _seconds(started),
            "skills": len(taxonomy.skills),
            "occupations": len(taxonomy.occupations),
        }
    }
    started = time.perf_counter()
    SkillSpace.of(taxonomy)
    rows["SkillSpace.of (once per taxonomy)"] = {"seconds": _seconds(started)}
    for part in SUITE.values():
        rows |= part(taxonomy)
    return rows


def table(rows: Rows) -> str:
    lines = []
    for name, row in rows.items():
        cells = ", ".join(f"{key} {value}" for key, value in row.items())
        lines.append(f"{name}: {cells}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
