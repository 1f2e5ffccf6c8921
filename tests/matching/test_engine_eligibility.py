"""The hard rules: ``exclusions`` in words, and the vectorised masks that must always agree with it;
no ranking, candidate list or allocation ever uses an ineligible pair."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matching.domain.allocation import allocate, score_matrix
from services.matching.domain.candidates import PersonIndex
from services.matching.domain.eligibility import (
    Offer,
    OfferRules,
    Person,
    PersonRules,
    age_on,
    exclusions,
)
from services.matching.domain.ranker import OfferIndex
from tests.matching.engine_data import DAYS, TODAY, offers, people, subset_taxonomy

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_an_open_offer_without_rules_takes_anyone() -> None:
    assert exclusions(Person("p"), Offer("o", "job"), TODAY) == []


def test_each_rule_in_words() -> None:
    offer = Offer(
        "o",
        "job",
        status="closed",
        seats=2,
        seats_taken=2,
        ends_on=date(2027, 3, 14),
        permit_must_allow_work=True,
        min_language=("it", "B1"),
        min_education=3,
        age_min=18,
        age_max=29,
    )
    person = Person("p", birth_date=date(1990, 3, 16), languages={"it": "A2"}, education_level=2)
    assert exclusions(person, offer, TODAY) == [
        "not open (closed)",
        "no seats left",
        "the offer has ended",
        "permit's work right is unknown",
        "needs B1 Italian; the person has A2",
        "education ISCED 2 below 3",
        "age 36 is above 29",
    ]
    unknown = Person("q", permit_allows_work=False, languages={"it": None})
    assert exclusions(unknown, offer, TODAY)[3:] == [
        "permit does not allow work",
        "needs B1 Italian; the person's Italian is unknown",
        "needs education ISCED 3; the person's is unknown",
        "age range 18-29; the birth date is unknown",
    ]
    assert "needs B1 Italian; the person has no Italian recorded" in exclusions(
        Person("r"), offer, TODAY
    )


def test_age_on_birthdays() -> None:
    assert age_on(date(2000, 3, 15), date(2027, 3, 15)) == 27
    assert age_on(date(2000, 3, 16), date(2027, 3, 15)) == 26
    assert age_on(date(2008, 2, 29), date(2027, 2, 28)) == 18
    assert age_on(date(2008, 2, 29), date(2027, 3, 1)) == 19


@SETTINGS
@given(st.lists(people(), max_size=8), st.lists(offers(), max_size=8), DAYS)
def test_masks_agree_with_exclusions(
    persons: list[Person], catalogue: list[Offer], today: date
) -> None:
    by_offer = OfferRules(catalogue)
    by_person = PersonRules(persons)
    expected = np.array(
        [[not exclusions(p, o, today) for o in catalogue] for p in persons], dtype=bool
    ).reshape(len(persons), len(catalogue))
    for row, person in enumerate(persons):
        assert by_offer.mask(person, today).tolist() == expected[row].tolist()
    for column, offer in enumerate(catalogue):
        assert by_person.mask(offer, today).tolist() == expected[:, column].tolist()


@SETTINGS
@given(
    st.lists(people(), min_size=1, max_size=6),
    st.lists(offers(), min_size=1, max_size=6),
    DAYS,
    st.floats(0.0, 2.0),
    st.booleans(),
)
def test_no_result_ever_uses_an_ineligible_pair(
    persons: list[Person],
    catalogue: list[Offer],
    today: date,
    favour_vulnerable: float,
    maximin: bool,
) -> None:
    taxonomy = subset_taxonomy()
    offer_index = OfferIndex(catalogue, taxonomy)
    person_index = PersonIndex(persons, taxonomy)
    by_id = {o.id: o for o in catalogue}
    who = {p.beneficiary_id: p for p in persons}
    for person in persons:
        for match in offer_index.rank(person, today, limit=len(catalogue)):
            assert match.eligible
            assert exclusions(person, by_id[match.offer_id], today) == []
        for match in offer_index.rank(person, today, limit=100, include_ineligible=True):
            rules = exclusions(person, by_id[match.offer_id], today)
            assert match.eligible == (not rules)
            assert match.excluded_by == rules
    for offer in catalogue:
        for candidate in person_index.candidates(offer, today, limit=len(persons)):
            assert candidate.eligible
            assert exclusions(who[candidate.beneficiary_id], offer, today) == []
        for candidate in person_index.candidates(offer, today, limit=100, include_ineligible=True):
            rules = exclusions(who[candidate.beneficiary_id], offer, today)
            assert candidate.eligible == (not rules)
            assert candidate.excluded_by == rules
    scores = score_matrix(offer_index, persons, today)
    result = allocate(
        persons, catalogue, scores, today=today, favour_vulnerable=favour_vulnerable,
        maximin=maximin,
    )  # fmt: skip
    for assignment in (result.assignment, result.greedy_assignment):
        assert set(assignment) == set(who)
        taken: dict[str, int] = {}
        for person_id, offer_id in assignment.items():
            if offer_id is not None:
                assert exclusions(who[person_id], by_id[offer_id], today) == []
                taken[offer_id] = taken.get(offer_id, 0) + 1
        assert all(taken[o] <= by_id[o].seats_left for o in taken)
    assert set(result.reasons) == set(who)
