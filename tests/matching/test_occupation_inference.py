"""Which occupations a person's skills point to (``domain/occupation_inference.py``), and the
held-out free-text evaluation of ``bench/free_text_ranking.py`` on the test taxonomy."""

from __future__ import annotations

import numpy as np
import pytest

from bench import free_text_ranking as evaluation
from services.matching.domain.candidates import PersonIndex
from services.matching.domain.eligibility import Offer, Person
from services.matching.domain.occupation_inference import NEIGHBOURS
from services.matching.domain.ranker import OfferIndex
from services.matching.domain.skillspace import SkillSpace
from services.matching.domain.taxonomy import Taxonomy
from tests.matching.engine_data import TODAY, pool, random_people, subset_taxonomy


def distinctive(taxonomy: Taxonomy) -> list[str]:
    """Occupations with four essential skills or more that no other occupation lists all of."""
    found = []
    for uri, essential in sorted(taxonomy.essential.items()):
        if len(essential) < 4 or uri not in taxonomy.occupations:
            continue
        others = (
            taxonomy.essential.get(o, frozenset()) | taxonomy.optional.get(o, frozenset())
            for o in taxonomy.occupations
            if o != uri
        )
        if not any(essential <= bag for bag in others):
            found.append(uri)
    return found


def test_the_skills_point_to_their_occupation_and_its_unit_group() -> None:
    taxonomy = subset_taxonomy()
    space = SkillSpace.of(taxonomy)
    checked = 0
    for uri in distinctive(taxonomy)[:25]:
        columns = space.skill_columns(taxonomy.essential[uri])
        affinity = space.inference.affinity(columns)
        assert affinity is not None
        assert space.occupation_uris[int(np.argmax(affinity))] == uri
        assert np.all((affinity >= 0) & (affinity <= 1))
        # (1 + NEIGHBOURS * g) / (1 + NEIGHBOURS), g in (0, 1]: its unit group's relative mass
        own = float(affinity[space.occupation[uri]])
        assert 1 / (1 + NEIGHBOURS) < own <= 1
        for neighbour in taxonomy.isco_neighbours(uri):
            # a neighbour gets at least the group's part of the occupation's affinity
            assert affinity[space.occupation[neighbour]] >= own - 1 / (1 + NEIGHBOURS) - 1e-12
        checked += 1
    assert checked >= 10


def test_no_evidence_no_affinity_and_a_neutral_occupation() -> None:
    taxonomy = subset_taxonomy()
    space = SkillSpace.of(taxonomy)
    assert space.inference.affinity([]) is None
    occupation = distinctive(taxonomy)[0]
    offer = Offer("o", "job", occupation_uri=occupation)
    nobody = Person("p", skills=frozenset({"http://data.europa.eu/esco/skill/not-in-esco"}))
    [match] = OfferIndex([offer], taxonomy).rank(nobody, TODAY)
    criteria = {c.criterion: c for c in match.explanation}
    assert criteria["occupation"].score == 0.5
    assert "no occupation or skills recorded" in criteria["occupation"].detail


def test_one_offer_against_everyone_gives_each_the_same_affinity() -> None:
    """``affinity_of`` (candidates) is ``affinity`` (ranking) for every person."""
    taxonomy = subset_taxonomy()
    space = SkillSpace.of(taxonomy)
    people = random_people(pool(taxonomy), 60, seed=4)
    index = PersonIndex(people, taxonomy)
    for occupation in sorted(space.occupation.values())[:40:7]:
        many = space.inference.affinity_of(occupation, index.evidence, index.best, index.best_group)
        for number, person in enumerate(people):
            columns = space.held(
                space.skill_columns(person.skills), space.person_label_columns(person)
            )
            one = space.inference.affinity(columns)
            if one is None:
                assert np.isnan(many[number])
            else:
                assert many[number] == pytest.approx(one[occupation], abs=1e-9)


def test_an_undeclared_trade_ranks_its_offers_first() -> None:
    """A person who declares nothing but types three of a trade's essential skills (with a typo
    and a trailing full stop) sees that trade's offer above an offer of another ISCO unit group
    that lists the same skills among many more."""
    taxonomy = subset_taxonomy()
    for uri in distinctive(taxonomy):
        essential = sorted(taxonomy.essential[uri])
        others = [
            o
            for o in taxonomy.occupations
            if taxonomy.occupations[o].isco_group[:4] != taxonomy.occupations[uri].isco_group[:4]
            and len(taxonomy.essential.get(o, frozenset()) & set(essential)) >= 2
        ]
        if others:
            break
    else:
        pytest.skip("no occupation shares two essential skills across unit groups here")
    other = others[0]
    labels = [taxonomy.skills[u].label for u in essential[:3]]
    typed = (labels[0] + ".", labels[1].upper(), labels[2])
    own = Offer("own", "job", required_skills=frozenset(essential), occupation_uri=uri)
    shared = set(essential[:3]) | taxonomy.essential[other]
    rival = Offer("rival", "job", required_skills=frozenset(shared), occupation_uri=other)
    person = Person("p", skill_labels=typed)
    ranked = OfferIndex([rival, own], taxonomy).rank(person, TODAY)
    assert [m.offer_id for m in ranked] == ["own", "rival"]
    assert ranked[0].score > ranked[1].score
    occupation = {c.criterion: c.detail for c in ranked[0].explanation}["occupation"]
    assert occupation.startswith(f"their skills point to {taxonomy.occupations[uri].label}")


def test_the_free_text_evaluation_beats_its_baselines_on_the_test_taxonomy() -> None:
    """The held-out evaluation (``make eval`` runs it on the whole ESCO): Ponte's graded nDCG@10
    above every baseline's, with non-overlapping 95% intervals; reproducible by its seeds."""
    taxonomy = subset_taxonomy()
    offers = evaluation.catalogue(taxonomy, 2, evaluation.CATALOGUE_SEED)
    texts = evaluation.Texts(taxonomy)
    drawn = evaluation.people(taxonomy, texts, 120, evaluation.HELD_OUT_SEED)
    assert drawn == evaluation.people(taxonomy, texts, 120, evaluation.HELD_OUT_SEED)
    assert all(3 <= len(d.texts) <= 6 for d in drawn)
    table = evaluation.evaluate(taxonomy, offers, drawn)
    ponte = table["Ponte"][0]
    for baseline in ("Jaccard", "TF-IDF", "BM25"):
        assert ponte[1] > table[baseline][0][2], baseline
    for values in table.values():
        for mean, low, high in values:
            assert 0 <= low <= mean <= high <= 1
