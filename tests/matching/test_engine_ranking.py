"""Scores and explanations: the offer ranker and the candidate lister agree on every pair, the
explanation recombines to the score, partial credit flows through the ESCO hierarchy and the
occupation-skill relations, ties are deterministic, weights are validated."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matching.domain import explain
from services.matching.domain import skillspace as k
from services.matching.domain.candidates import PersonIndex
from services.matching.domain.eligibility import Offer, Person
from services.matching.domain.ranker import OfferIndex
from services.matching.domain.scoring import Criterion, Weights
from services.matching.domain.skillspace import SkillSpace
from services.matching.domain.taxonomy import Taxonomy
from tests.matching.engine_data import (
    DAYS,
    TODAY,
    offers,
    people,
    pool,
    random_offers,
    random_people,
    subset_taxonomy,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WEIGHTS = st.lists(st.floats(0.0, 1.0), min_size=7, max_size=7).filter(lambda w: sum(w) > 0.1)


def custom(values: list[float]) -> Weights:
    total = sum(values)
    names = [name for name, _ in Weights().items()]
    parts = [v / total for v in values]
    parts[parts.index(max(parts))] += 1.0 - sum(parts)  # the rounding remainder
    return Weights(**dict(zip(names, parts, strict=True)))


def recombined(explanation: list[Criterion]) -> float:
    return sum(c.weight * c.score for c in explanation)


def check_pairs(
    persons: list[Person], catalogue: list[Offer], today: date, weights: Weights
) -> None:
    taxonomy = subset_taxonomy()
    by_offers = OfferIndex(catalogue, taxonomy)
    by_people = PersonIndex(persons, taxonomy)
    ranked = np.vstack([by_offers.scores(p, today, weights) for p in persons])
    listed = np.column_stack([by_people.scores(o, today, weights) for o in catalogue])
    np.testing.assert_allclose(ranked, listed, rtol=0, atol=1e-9)
    assert ((ranked >= 0) & (ranked <= 1)).all()
    for row, person in enumerate(persons):
        matches = by_offers.rank(
            person, today, weights=weights, limit=len(catalogue), include_ineligible=True
        )
        assert len(matches) == len(catalogue)
        for match in matches:
            assert match.score == pytest.approx(ranked[row, by_offers.position[match.offer_id]])
            assert recombined(match.explanation) == pytest.approx(match.score, abs=1e-3)
            assert [c.weight for c in match.explanation] == [w for _, w in weights.items()]
            assert all(0 <= c.score <= 1 and c.detail for c in match.explanation)
        scores = [m.score for m in matches]
        assert scores == sorted(scores, reverse=True)
    for offer in catalogue:
        for candidate in by_people.candidates(
            offer, today, weights=weights, limit=len(persons), include_ineligible=True
        ):
            assert recombined(candidate.explanation) == pytest.approx(candidate.score, abs=1e-3)


@SETTINGS
@given(
    st.lists(people(), min_size=1, max_size=5),
    st.lists(offers(), min_size=1, max_size=5),
    DAYS,
    st.one_of(st.just(None), WEIGHTS),
)
def test_both_indexes_and_the_explanation_agree(
    persons: list[Person], catalogue: list[Offer], today: date, values: list[float] | None
) -> None:
    check_pairs(persons, catalogue, today, Weights() if values is None else custom(values))


def test_realistic_cohort_agrees() -> None:
    source = pool(subset_taxonomy())
    check_pairs(
        random_people(source, 40, seed=1), random_offers(source, 60, seed=2), TODAY, Weights()
    )


def brute_credit(taxonomy: Taxonomy, person: Person, skill: str) -> float:
    """The credit table of skillspace's docstring, straight from the taxonomy."""
    occupations = person.desired_occupations | person.experience_occupations
    held = set(person.skills) | {taxonomy.skill_by_label.get(" ".join(t.casefold().split()), "")
                                 for t in person.skill_labels}  # fmt: skip
    credit = 0.0
    if skill in person.skills:
        credit = k.OWN
    elif any(taxonomy.skill_by_label.get(" ".join(t.casefold().split())) == skill
             for t in person.skill_labels):  # fmt: skip
        credit = k.LABEL
    for occupation in occupations:
        if skill in taxonomy.essential.get(occupation, ()):
            credit = max(credit, k.ESSENTIAL)
        if skill in taxonomy.optional.get(occupation, ()):
            credit = max(credit, k.OPTIONAL)
    for uri in held:
        distance = taxonomy.ancestors_by_distance(uri).get(skill)
        if distance == 1:
            credit = max(credit, k.BROADER)
        elif distance == 2:
            credit = max(credit, k.BROADER_2)
    return credit


@SETTINGS
@given(people(), st.lists(st.sampled_from(pool(subset_taxonomy(), 6).labels), max_size=2))
def test_credit_is_the_best_source(person: Person, labels: list[str]) -> None:
    taxonomy = subset_taxonomy()
    person = replace(person, skill_labels=tuple(labels))
    space = SkillSpace.of(taxonomy)
    who = explain.view(space, person)
    near = set(person.skills)
    for uri in person.desired_occupations | person.experience_occupations:
        near |= taxonomy.essential.get(uri, frozenset()) | taxonomy.optional.get(uri, frozenset())
    for uri in list(near):
        near |= taxonomy.ancestors(uri)
    for uri in sorted(near):
        if uri in space.column:
            assert who.credit[space.column[uri]] == brute_credit(taxonomy, person, uri), uri


def test_credit_codes_ascend() -> None:
    # Sources are applied in code order, each overwriting the last: the order must be the credit's.
    assert np.all(np.diff(k.CREDIT) > 0)
    assert [s.code for s in SkillSpace.of(subset_taxonomy()).sources] == sorted(
        s.code for s in SkillSpace.of(subset_taxonomy()).sources
    )


def a_skill_with_a_parent_and_grandparent(taxonomy: Taxonomy) -> tuple[str, str, str]:
    for uri in sorted(taxonomy.broader):
        if uri not in taxonomy.skills or taxonomy.skills[uri].type == "skill group":
            continue
        distance = taxonomy.ancestors_by_distance(uri)
        parents = sorted(p for p, d in distance.items() if d == 1)
        grandparents = sorted(p for p, d in distance.items() if d == 2)
        if parents and grandparents:
            return uri, parents[0], grandparents[0]
    raise AssertionError("no skill with two levels above it")


def skill_score(person: Person, offer: Offer) -> float:
    match = OfferIndex([offer], subset_taxonomy()).rank(person, TODAY)[0]
    return next(c.score for c in match.explanation if c.criterion == "skills")


def test_partial_credit_through_the_hierarchy() -> None:
    skill, parent, grandparent = a_skill_with_a_parent_and_grandparent(subset_taxonomy())
    person = Person("p", skills=frozenset({skill}))
    own = skill_score(person, Offer("o", "job", required_skills=frozenset({skill})))
    broader = skill_score(person, Offer("o", "job", required_skills=frozenset({parent})))
    further = skill_score(person, Offer("o", "job", required_skills=frozenset({grandparent})))
    assert own == 1.0
    assert 0 < further < broader < own
    # the other way round (holding the broad concept) earns nothing for the narrow skill
    general = Person("q", skills=frozenset({parent}))
    assert skill_score(general, Offer("o", "job", required_skills=frozenset({skill}))) == 0


def test_partial_credit_through_occupations() -> None:
    taxonomy = subset_taxonomy()
    source = pool(taxonomy)
    occupation = next(o for o in source.occupations if source.optional[o])
    essential, optional = source.essential[occupation][0], source.optional[occupation][0]
    person = Person("p", desired_occupations=frozenset({occupation}))
    stranger = Person("q")
    for skill, credit in ((essential, k.ESSENTIAL), (optional, k.OPTIONAL)):
        offer = Offer("o", "job", required_skills=frozenset({skill}))
        assert skill_score(person, offer) >= credit > skill_score(stranger, offer)
    offer = Offer("o", "job", required_skills=frozenset({essential}))
    match = OfferIndex([offer], taxonomy).rank(person, TODAY)[0]
    assert "1 more through their occupations" in match.explanation[0].detail


def test_required_skills_count_more_than_preferred() -> None:
    skills = sorted(subset_taxonomy().essential[pool(subset_taxonomy()).occupations[0]])[:2]
    offer = Offer(
        "o", "job", required_skills=frozenset(skills[:1]), preferred_skills=frozenset(skills[1:])
    )
    has_required = skill_score(Person("a", skills=frozenset(skills[:1])), offer)
    has_preferred = skill_score(Person("b", skills=frozenset(skills[1:])), offer)
    assert has_required > has_preferred > 0


def test_a_skill_outside_the_taxonomy_still_counts_when_held() -> None:
    uri = "http://example.org/skill/welding-certificate"
    offer = Offer("o", "job", required_skills=frozenset({uri}))
    assert skill_score(Person("p", skills=frozenset({uri})), offer) == 1.0
    assert skill_score(Person("q"), offer) == 0.0
    listed = PersonIndex([Person("p", skills=frozenset({uri})), Person("q")], subset_taxonomy())
    assert [c.beneficiary_id for c in listed.candidates(offer, TODAY)] == ["p", "q"]


def test_a_language_need_lifts_language_courses() -> None:
    course = Offer("course", "language_course", languages_of_instruction=("it",))
    training = Offer("training", "training", languages_of_instruction=("it",))
    index = OfferIndex([training, course], subset_taxonomy())
    needs_language = Person("p", languages={"it": "A1"}, priority_need="language")
    no_need = replace(needs_language, priority_need=None)
    lifted = index.rank(needs_language, TODAY)
    assert [m.offer_id for m in lifted] == ["course", "training"]
    plain = {m.offer_id: m.score for m in index.rank(no_need, TODAY)}
    assert lifted[0].score > plain["course"]
    priority = next(c for c in lifted[0].explanation if c.criterion == "priority")
    assert priority.score == 1.0
    assert priority.detail == "priority need 'language' lifts a language course"


def test_language_courses_fit_beginners_more_than_speakers() -> None:
    course = Offer("course", "language_course", min_language=("it", "A1"))
    index = OfferIndex([course], subset_taxonomy())

    def language(person: Person) -> Criterion:
        return next(
            c for c in index.rank(person, TODAY)[0].explanation if c.criterion == "language"
        )

    beginner = language(Person("a", languages={"it": "A1"}))
    speaker = language(Person("b", languages={"it": "C1"}))
    assert beginner.score > speaker.score
    assert beginner.detail == "Italian course from A1; the person has A1"


def test_ties_break_on_the_id_whatever_the_input_order() -> None:
    offers_ = [Offer(f"offer-{n}", "job", seats=2) for n in (3, 1, 2, 5, 4)]
    person = Person("p")
    expected = ["offer-1", "offer-2", "offer-3", "offer-4", "offer-5"]
    for seed in range(3):
        random.Random(seed).shuffle(offers_)
        ranked = OfferIndex(offers_, subset_taxonomy()).rank(person, TODAY, limit=3)
        assert [m.offer_id for m in ranked] == expected[:3]
    people_ = [Person(f"person-{n}") for n in (2, 9, 1)]
    listed = PersonIndex(people_, subset_taxonomy()).candidates(offers_[0], TODAY)
    assert [c.beneficiary_id for c in listed] == ["person-1", "person-2", "person-9"]


def test_include_ineligible_carries_the_rule() -> None:
    strict = Offer("strict", "job", min_language=("it", "B2"), permit_must_allow_work=True)
    index = OfferIndex([strict, Offer("easy", "job")], subset_taxonomy())
    person = Person("p", languages={"it": "A2"}, permit_allows_work=True)
    assert [m.offer_id for m in index.rank(person, TODAY)] == ["easy"]
    both = {m.offer_id: m for m in index.rank(person, TODAY, include_ineligible=True)}
    assert not both["strict"].eligible
    assert both["strict"].excluded_by == ["needs B2 Italian; the person has A2"]
    assert both["easy"].eligible
    assert both["easy"].excluded_by == []
    listed = PersonIndex([person], subset_taxonomy()).candidates(
        strict, TODAY, include_ineligible=True
    )
    assert listed[0].excluded_by == ["needs B2 Italian; the person has A2"]


def test_filters_and_limits() -> None:
    catalogue = [
        Offer("a", "job"),
        Offer("b", "training"),
        Offer("c", "language_course"),
        Offer("d", "job", starts_on=TODAY + timedelta(days=5)),
    ]
    index = OfferIndex(catalogue, subset_taxonomy())
    assert {m.offer_id for m in index.rank(Person("p"), TODAY, types={"job"})} == {"a", "d"}
    assert len(index.rank(Person("p"), TODAY, limit=1)) == 1
    assert index.rank(Person("p"), TODAY, limit=0) == []
    assert OfferIndex([], subset_taxonomy()).rank(Person("p"), TODAY) == []
    assert PersonIndex([], subset_taxonomy()).candidates(catalogue[0], TODAY) == []


def test_the_missing_required_skills_are_named() -> None:
    """What would make the offer reachable: the required skills the person has no credit for,
    by name (up to eight, then "..."); a skill credited through their occupation is not missing."""
    taxonomy = subset_taxonomy()
    source = pool(taxonomy)
    occupation = source.occupations[0]
    skills = sorted(source.essential[occupation])[:3]
    offer = Offer("o", "job", required_skills=frozenset(skills))
    labels = [taxonomy.skills[uri].label for uri in skills]
    alone = Person("p", skills=frozenset(skills[:1]))
    [match] = OfferIndex([offer], taxonomy).rank(alone, TODAY)
    detail = {c.criterion: c.detail for c in match.explanation}["skills"]
    assert detail.startswith(f"1 of 3 required skills ({labels[0]})")
    assert f"; missing: {labels[1]}, {labels[2]};" in detail
    assert detail.endswith("; the offer uses 1 of their 1 skills")
    placed = replace(alone, desired_occupations=frozenset({occupation}))
    [match] = OfferIndex([offer], taxonomy).rank(placed, TODAY)
    assert "missing" not in {c.criterion: c.detail for c in match.explanation}["skills"]


def test_details_in_words() -> None:
    taxonomy = subset_taxonomy()
    source = pool(taxonomy)
    occupation = source.occupations[0]
    skills = source.essential[occupation][:3]
    offer = Offer(
        "o",
        "job",
        required_skills=frozenset(skills),
        occupation_uri=occupation,
        coordinates=(45.46, 9.19),
        min_education=3,
        starts_on=TODAY + timedelta(days=10),
        languages_of_instruction=("it",),
    )
    person = Person(
        "p",
        skills=frozenset(skills[:1]),
        desired_occupations=frozenset({occupation}),
        coordinates=(45.46, 9.30),
        education_level=4,
        languages={"it": "B1"},
    )
    details = {
        c.criterion: c.detail
        for c in OfferIndex([offer], taxonomy).rank(person, TODAY)[0].explanation
    }
    label = taxonomy.skills[skills[0]].label
    assert details["skills"].startswith(f"1 of 3 required skills ({label})")
    name = taxonomy.occupations[occupation].label
    essential = len(source.essential[occupation])
    assert details["occupation"] == (
        f"{name} is their desired occupation; their skills point to {name}; "
        f"they hold 1 of its {essential} essential skills"
    )
    assert details["distance"] == "9 km away"
    assert details["education"] == "ISCED 4 for a minimum of 3"
    assert details["start"] == f"starts in 10 days ({TODAY + timedelta(days=10)})"
    assert details["language"] == "taught in Italian; the person's best is B1"
    assert details["priority"] == "no priority need recorded"


def test_weights_are_validated() -> None:
    assert sum(w for _, w in Weights().items()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="sum to 1"):
        Weights(skills=0.5)
    with pytest.raises(ValueError, match="non-negative"):
        Weights(skills=0.6, occupation=-0.05)
    with pytest.raises(ValueError, match="finite"):
        Weights(skills=float("nan"))
    only_skills = Weights(
        skills=1.0, occupation=0, language=0, distance=0, priority=0, education=0, start=0
    )
    skill = pool(subset_taxonomy()).essential[pool(subset_taxonomy()).occupations[0]][0]
    offer = Offer("o", "job", required_skills=frozenset({skill}))
    match = OfferIndex([offer], subset_taxonomy()).rank(
        Person("p", skills=frozenset({skill})), TODAY, weights=only_skills
    )[0]
    assert match.score == 1.0


def test_a_business_plan_lifts_entrepreneurship_and_a_wanted_sector_lifts_its_offers() -> None:
    """The migration project drives ranking: a person who plans to start a business finds
    entrepreneurship offers fit their priority whatever their need; an offer in a sector they
    want to work in (NACE) fits their occupation at least as well as a desired occupation's ISCO
    unit group; the explanation says which."""
    taxonomy = subset_taxonomy()
    workshop = Offer(id="workshop", type="entrepreneurship", sector="C")
    site = Offer(id="site", type="job", sector="F")
    person = Person(beneficiary_id="p", priority_need="language")
    planning = replace(person, plans_business=True, desired_sectors=frozenset({"F"}))
    index = OfferIndex([workshop, site], taxonomy)

    def criteria(who: Person) -> dict[str, dict[str, Criterion]]:
        matches = index.rank(who, TODAY, limit=2, include_ineligible=True)
        return {m.offer_id: {c.criterion: c for c in m.explanation} for m in matches}

    before, after = criteria(person), criteria(planning)
    assert before["workshop"]["priority"].score == pytest.approx(0.3)  # language: not answered
    assert after["workshop"]["priority"].score == 1.0
    assert after["workshop"]["priority"].detail == "they plan to start a business"
    assert before["site"]["occupation"].score == 0.5  # no occupation named: neutral
    assert after["site"]["occupation"].score == pytest.approx(0.6)
    assert "NACE F" in after["site"]["occupation"].detail
    assert after["workshop"]["occupation"].score == 0.5  # not a sector they want
    check_pairs([person, planning], [workshop, site], TODAY, Weights())
