"""Blocking keys must keep candidate sets small on a realistic population: no key may gather a
large share of it, and a registration must compare against a handful of people, not thousands."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean, quantiles

from services.intake.domain.duplicates import PersonKey, blocking_keys
from tools.synthetic_people import NEEDS, people

POPULATION = 20_000


def test_people_are_deterministic_and_well_formed() -> None:
    first = list(people(200, seed=3))
    assert first == list(people(200, seed=3))
    assert first != list(people(200, seed=4))
    for someone in first:
        assert someone["given_name"]
        assert someone["family_name"]
        assert someone["sex"] in {"female", "male", "other", "undisclosed"}
        assert someone["arrival_date"] > someone["birth_date"]
        assert set(someone["needs"]) <= set(NEEDS)
        assert all(language["code"] and language["level"] for language in someone["languages"])


def test_blocks_stay_small() -> None:
    keys_of = [
        blocking_keys(
            PersonKey(
                given_name=someone["given_name"],
                family_name=someone["family_name"],
                birth_date=someone["birth_date"],
                sex=someone["sex"],
                nationality=someone["nationality"],
                country_of_birth=someone["country_of_birth"],
            )
        )
        for someone in people(POPULATION)
    ]
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(keys_of):
        for key in keys:
            blocks[key].append(index)
    largest_key, largest = max(
        ((key, len(members)) for key, members in blocks.items()), key=lambda item: item[1]
    )
    candidates = []
    for index, keys in enumerate(keys_of):
        others = {member for key in keys for member in blocks[key]}
        others.discard(index)
        candidates.append(len(others))
    average = mean(candidates)
    p99 = quantiles(candidates, n=100)[-1]
    print(
        f"\n{POPULATION} synthetic people: {mean(map(len, keys_of)):.1f} keys each, "
        f"{len(blocks)} blocks, largest {largest} people ({largest / POPULATION:.2%}, "
        f"{largest_key}); candidates per person: mean {average:.2f}, "
        f"99th percentile {p99:.0f}, max {max(candidates)}"
    )
    assert largest < POPULATION * 0.01
    assert average < 20
