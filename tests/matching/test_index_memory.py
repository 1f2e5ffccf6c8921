"""A service moves its long-lived objects out of the cycle collector's sight once built
(``shared.heap.settle``): matching's taxonomy and indexes live until a rebuild replaces them
whole, and are then freed by reference counting alone. So none of them may hold a reference
cycle: a frozen cycle is never freed, and every rebuild would leak a whole index."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator

import pytest

from services.matching.domain.candidates import PersonIndex
from services.matching.domain.explain import view
from services.matching.domain.ranker import OfferIndex
from services.matching.domain.scoring import Weights
from services.matching.domain.skillspace import SkillSpace
from services.matching.domain.taxonomy import Taxonomy, load_csv
from tests.matching.engine_data import (
    SUBSET,
    TODAY,
    pool,
    random_offers,
    random_people,
    subset_taxonomy,
)


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def freed_without_the_collector(build: Callable[[], object]) -> bool:
    built = build()
    left = weakref.ref(built)
    del built
    return left() is None


@pytest.mark.usefixtures("collector_off")
def test_an_offer_index_that_has_ranked_and_explained_is_freed_by_reference_counting() -> None:
    taxonomy = subset_taxonomy()
    source = pool(taxonomy)

    def build() -> OfferIndex:
        index = OfferIndex(random_offers(source, 60, seed=5), taxonomy)
        for person in random_people(source, 5, seed=6):
            index.rank(person, TODAY, limit=5)  # explained: every lazy part built
            view(index.space, person)
        return index

    assert freed_without_the_collector(build)


@pytest.mark.usefixtures("collector_off")
def test_a_person_index_is_freed_by_reference_counting() -> None:
    taxonomy = subset_taxonomy()
    source = pool(taxonomy)

    def build() -> PersonIndex:
        index = PersonIndex(random_people(source, 80, seed=7), taxonomy)
        for offer in random_offers(source, 3, seed=8):
            index.scores(offer, TODAY, Weights())
        return index

    assert freed_without_the_collector(build)


@pytest.mark.skipif(not SUBSET.is_dir(), reason="the committed ESCO subset is not here")
@pytest.mark.usefixtures("collector_off")
def test_a_replaced_taxonomy_with_its_skill_space_is_freed_by_reference_counting() -> None:
    """Found by this test: the skill spaces' cache held each space, and each space its taxonomy,
    so no taxonomy was ever freed (an import leaked the one it replaced)."""
    space: list[weakref.ref[SkillSpace]] = []

    def build() -> Taxonomy:
        taxonomy = load_csv(*(sorted(SUBSET.glob("*.zip")) or [SUBSET]))
        index = OfferIndex([], taxonomy)  # builds and caches the skill space
        space.append(weakref.ref(index.space))
        return taxonomy

    assert freed_without_the_collector(build)
    assert space[0]() is None
