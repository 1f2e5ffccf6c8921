"""The ranker against a plain Jaccard baseline on a labelled set built from the real ESCO
occupation-skill relations (the test taxonomy; ``bench/matching_engine.py`` runs the whole one)."""

from __future__ import annotations

import pytest

from services.matching.domain.evaluation import (
    build_set,
    evaluate,
    ndcg_at_k,
    precision_at_k,
    reciprocal_rank,
)
from tests.matching.engine_data import subset_taxonomy


def test_metrics() -> None:
    assert ndcg_at_k([2, 1, 0], [0, 1, 2], 10) == 1.0
    assert ndcg_at_k([0, 0], [0, 0], 10) == 0.0
    assert 0 < ndcg_at_k([0, 1, 2], [2, 1, 0], 10) < 1
    assert precision_at_k([1, 0, 2, 0, 0, 1], 5) == pytest.approx(0.4)
    assert reciprocal_rank([1, 0, 2]) == pytest.approx(1 / 3)
    assert reciprocal_rank([1, 0]) == 0.0


def test_the_labelled_set_is_reproducible() -> None:
    one = build_set(subset_taxonomy(), people=20, offers_per_occupation=2, seed=3)
    two = build_set(subset_taxonomy(), people=20, offers_per_occupation=2, seed=3)
    assert [p.skills for p in one.people] == [p.skills for p in two.people]
    assert [o.required_skills for o in one.offers] == [o.required_skills for o in two.offers]
    assert all(not p.desired_occupations and not p.experience_occupations for p in one.people)


def test_the_ranker_beats_jaccard() -> None:
    report = evaluate(subset_taxonomy(), people=150, seed=11)
    assert report.people == 150
    assert report.ranker.ndcg_at_10 > report.jaccard.ndcg_at_10
    assert report.ranker.mrr > report.jaccard.mrr
    for metrics in (report.ranker, report.jaccard):
        assert 0 <= metrics.ndcg_at_10 <= 1
        assert 0 <= metrics.precision_at_5 <= 1
        assert 0 <= metrics.mrr <= 1
