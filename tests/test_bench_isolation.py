"""The ``isolation`` benchmark's sizes and figures: it must follow the bounds the services declare
(so that it keeps measuring the heaviest request they allow) and the manifest's memory limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import isolation_data as data
from bench.probes import summary
from services.intake.domain.duplicates import blocking_keys
from services.intake.domain.record import person_key
from services.intake.settings import IntakeSettings
from services.matching.settings import MatchingSettings


class BoundedIntake(IntakeSettings):
    batch_max_items: int = 200


class GenerousIntake(IntakeSettings):
    batch_max_items: int = 100_000


class BoundedMatching(MatchingSettings):
    allocation_max_people: int = 1000
    allocation_max_offers: int = 400
    allocation_max_pairs: int = 1_000_000


class PairsOnly(MatchingSettings):
    allocation_max_pairs: int = 20_000


def test_the_batch_follows_a_bound_in_intakes_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # intake's own bound on a batch answered at once (not the job's, which is the schema's)
    assert data.batch_size() == (500, "IntakeSettings.batch_max_items")
    monkeypatch.setattr(data, "IntakeSettings", BoundedIntake)
    assert data.batch_size() == (200, "BoundedIntake.batch_max_items")
    monkeypatch.setattr(data, "IntakeSettings", GenerousIntake)
    assert data.batch_size()[0] == 10_000  # never past what the schema accepts


def test_the_allocation_follows_matchings_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    # matching's defaults: 2,000 people and 500 offers, within 250,000 eligible pairs
    assert data.allocation_size()[:2] == (2000, 125)
    monkeypatch.setattr(data, "MatchingSettings", BoundedMatching)
    assert data.allocation_size()[:2] == (1000, 400)
    monkeypatch.setattr(data, "MatchingSettings", PairsOnly)
    people, offers, source = data.allocation_size()
    assert (people, offers) == (2000, 10)  # the people bound holds; the pairs bound cuts offers
    assert people * offers <= 20_000
    assert source.endswith("PairsOnly.allocation_max_pairs")


def test_memory_limits_come_from_the_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "ponte.yaml"
    manifest.write_text(
        "kind: ConfigMap\nmetadata: {name: gateway}\n---\n"
        + "".join(
            f"kind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n"
            f"      containers:\n        - name: {name}\n"
            f"          resources: {{limits: {{memory: {memory}}}}}\n---\n"
            for name, memory in (("gateway", "1Gi"), ("matching", "700Mi"))
        )
    )
    monkeypatch.setattr(data, "MANIFEST", manifest)
    assert data.memory_limits(("gateway", "intake", "matching")) == {
        "gateway": 1024.0,
        "intake": data.DEFAULT_LIMIT_MIB,  # no Deployment names it
        "matching": 700.0,
    }


def test_the_real_manifest_limits_the_watched_services() -> None:
    limits = data.memory_limits(("gateway", "intake", "matching"))
    assert all(0 < limit < 100_000 for limit in limits.values())


def test_look_alikes_all_fall_in_one_duplicate_block() -> None:
    people = data.look_alikes(50, "t")
    shared = set.intersection(*(set(blocking_keys(person_key(p))) for p in people))
    assert shared
    assert len({p["external_id"] for p in people}) == 50


def test_summary_reports_p95_and_failed_answers() -> None:
    figures = summary([float(n) for n in range(1, 101)], {"200": 97, "504": 3})
    assert figures["requests"] == 100
    assert figures["p50_ms"] == 50.5
    assert figures["p95_ms"] == 95.05
    assert figures["max_ms"] == 100.0
    assert figures["not_200"] == 3
    assert summary([], {}) == {"requests": 0}
