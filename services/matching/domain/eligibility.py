"""Who may take which offer: the hard rules, before any score.

``exclusions(person, offer, today)`` lists every rule a pair breaks, in plain English; an empty
list means eligible. ``OfferRules`` and ``PersonRules`` apply the same rules to arrays (one person
against every offer, one offer against every person) for the ranker and the allocation; the tests
check that the vectorised masks and ``exclusions`` always agree.

Unknown data is conservative: a missing language level or education level never passes a
minimum, a missing birth date fails any age range, and a permit whose work right is unknown fails
"permit must allow work". Consent to matching is NOT a rule here: the caller keeps people without
consent out of the cohort (so an operator may still see why an offer would not fit them).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from services.matching.domain.places import Place

OfferType = Literal["training", "language_course", "internship", "job", "entrepreneurship"]
OFFER_TYPES: tuple[OfferType, ...] = (
    "training",
    "language_course",
    "internship",
    "job",
    "entrepreneurship",
)
OfferStatus = Literal["draft", "open", "closed"]
CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
# 0 = none or unknown; native speakers are recorded as C2 by the caller.
CEFR_RANK = {level: rank for rank, level in enumerate(CEFR_LEVELS, start=1)}
LANGUAGE_NAMES = {
    "it": "Italian", "en": "English", "fr": "French", "es": "Spanish", "de": "German",
    "el": "Greek", "pt": "Portuguese", "ar": "Arabic", "uk": "Ukrainian", "ru": "Russian",
    "zh": "Chinese", "bn": "Bengali", "ur": "Urdu", "pa": "Punjabi", "wo": "Wolof",
    "ro": "Romanian", "sq": "Albanian", "ti": "Tigrinya", "so": "Somali", "fa": "Persian",
}  # fmt: skip
NO_DATE = 2**31 - 1  # ordinal of a missing end date: never in the past


@dataclass(frozen=True, eq=False)
class Person:
    beneficiary_id: str
    birth_date: date | None = None
    permit_allows_work: bool | None = None
    languages: Mapping[str, str | None] = field(default_factory=dict)  # code -> CEFR or None
    education_level: int | None = None  # ISCED 0..8
    municipality: str | None = None
    place: Place | None = None  # the territory code of residence, with its ancestors
    coordinates: tuple[float, float] | None = None  # (latitude, longitude)
    skills: frozenset[str] = frozenset()  # ESCO skill uris
    skill_labels: tuple[str, ...] = ()  # free-text skills without a uri
    # how they were read when the profile was written, with the taxonomy stamp of that reading
    # (``SkillSpace.reading``): text -> (uri or None, confidence or None)
    skill_reading: Mapping[str, tuple[str | None, float | None]] | None = None
    reading_stamp: str | None = None
    desired_occupations: frozenset[str] = frozenset()
    experience_occupations: frozenset[str] = frozenset()
    priority_need: str | None = None  # a pathways need domain: language, training, ...
    desired_sectors: frozenset[str] = frozenset()  # NACE Rev. 2 sections
    plans_business: bool = False  # the migration project: to start a business
    vulnerability: float = 0.0  # in [0, 1], weights the allocation when asked to
    matching_consent: bool = True


@dataclass(frozen=True, eq=False)
class Offer:
    id: str
    type: OfferType
    status: OfferStatus = "open"
    seats: int = 1
    seats_taken: int = 0
    starts_on: date | None = None
    ends_on: date | None = None
    municipality: str | None = None
    place: Place | None = None
    coordinates: tuple[float, float] | None = None
    organization_id: uuid.UUID | None = None  # the provider
    cluster_ids: frozenset[uuid.UUID] = frozenset()  # empty: published to every cluster
    required_skills: frozenset[str] = frozenset()
    preferred_skills: frozenset[str] = frozenset()
    taught_skills: frozenset[str] = frozenset()  # what a person learns here
    occupation_uri: str | None = None
    sector: str | None = None  # a NACE Rev. 2 section
    min_language: tuple[str, str] | None = None  # (code, CEFR level)
    min_education: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    permit_must_allow_work: bool = False
    languages_of_instruction: tuple[str, ...] = ()

    @property
    def seats_left(self) -> int:
        return max(0, self.seats - self.seats_taken)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def level_rank(level: str | None) -> int:
    return CEFR_RANK.get(level or "", 0)


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def exclusions(person: Person, offer: Offer, today: date) -> list[str]:
    """Every hard rule the pair breaks, in the order an operator checks them; [] = eligible."""
    reasons: list[str] = []
    if offer.status != "open":
        reasons.append(f"not open ({offer.status})")
    if offer.seats_left <= 0:
        reasons.append("no seats left")
    if offer.ends_on is not None and offer.ends_on < today:
        reasons.append("the offer has ended")
    if offer.permit_must_allow_work and person.permit_allows_work is not True:
        unknown = person.permit_allows_work is None
        reasons.append(
            "permit's work right is unknown" if unknown else "permit does not allow work"
        )
    if offer.min_language is not None:
        code, level = offer.min_language
        if level_rank(person.languages.get(code)) < level_rank(level):
            reasons.append(f"needs {level} {language_name(code)}; {_has(person, code)}")
    if offer.min_education is not None:
        if person.education_level is None:
            reasons.append(f"needs education ISCED {offer.min_education}; the person's is unknown")
        elif person.education_level < offer.min_education:
            reasons.append(f"education ISCED {person.education_level} below {offer.min_education}")
    if offer.age_min is not None or offer.age_max is not None:
        if person.birth_date is None:
            reasons.append(f"age range {_range(offer)}; the birth date is unknown")
        else:
            age = age_on(person.birth_date, today)
            if offer.age_min is not None and age < offer.age_min:
                reasons.append(f"age {age} is below {offer.age_min}")
            if offer.age_max is not None and age > offer.age_max:
                reasons.append(f"age {age} is above {offer.age_max}")
    return reasons


def _has(person: Person, code: str) -> str:
    if code not in person.languages:
        return f"the person has no {language_name(code)} recorded"
    level = person.languages[code]
    return f"the person has {level}" if level else f"the person's {language_name(code)} is unknown"


def _range(offer: Offer) -> str:
    low = "" if offer.age_min is None else str(offer.age_min)
    high = "" if offer.age_max is None else str(offer.age_max)
    return f"{low}-{high}"


def _ordinal(day: date | None, missing: int) -> int:
    return missing if day is None else day.toordinal()


class OfferRules:
    """The hard rules of many offers as arrays, to test one person against all at once."""

    def __init__(self, offers: Sequence[Offer]) -> None:
        self.codes: dict[str, int] = {}
        for offer in offers:
            if offer.min_language is not None:
                self.codes.setdefault(offer.min_language[0], len(self.codes))
        self.ends = np.array([_ordinal(o.ends_on, NO_DATE) for o in offers], dtype=np.int64)
        self.permit = np.array([o.permit_must_allow_work for o in offers], dtype=bool)
        self.language = np.array(
            [-1 if o.min_language is None else self.codes[o.min_language[0]] for o in offers],
            dtype=np.int64,
        )
        self.level = np.array(
            [0 if o.min_language is None else level_rank(o.min_language[1]) for o in offers],
            dtype=np.int8,
        )
        self.has_education = np.array([o.min_education is not None for o in offers], dtype=bool)
        self.education = np.array([_or(o.min_education, -1) for o in offers], dtype=np.int64)
        self.age_min = np.array([_or(o.age_min, 0) for o in offers], dtype=np.int64)
        self.age_max = np.array([_or(o.age_max, 0) for o in offers], dtype=np.int64)
        self.has_age_min = np.array([o.age_min is not None for o in offers], dtype=bool)
        self.has_age_max = np.array([o.age_max is not None for o in offers], dtype=bool)
        # the rules that do not depend on the person
        self.static = np.array(
            [offer.status == "open" and offer.seats_left > 0 for offer in offers], dtype=bool
        )

    def mask(self, person: Person, today: date) -> NDArray[np.bool_]:
        """True where the person is eligible, exactly as ``exclusions`` would say."""
        ok = self.static & (self.ends >= today.toordinal())
        if person.permit_allows_work is not True:
            ok &= ~self.permit
        levels = np.zeros(len(self.codes) + 1, dtype=np.int8)  # last slot: no requirement
        for code, index in self.codes.items():
            levels[index] = level_rank(person.languages.get(code))
        ok &= levels[self.language] >= self.level  # language -1 reads the last slot, level 0
        if person.education_level is None:
            ok &= ~self.has_education
        else:
            ok &= ~self.has_education | (self.education <= person.education_level)
        if person.birth_date is None:
            ok &= ~(self.has_age_min | self.has_age_max)
        else:
            age = age_on(person.birth_date, today)
            ok &= ~self.has_age_min | (self.age_min <= age)
            ok &= ~self.has_age_max | (age <= self.age_max)
        return ok


class PersonRules:
    """The hard rules' person side as arrays, to test one offer against many people at once."""

    def __init__(self, people: Sequence[Person]) -> None:
        self.permit = np.array([p.permit_allows_work is True for p in people], dtype=bool)
        self.has_education = np.array([p.education_level is not None for p in people], dtype=bool)
        self.education = np.array([_or(p.education_level, 0) for p in people], dtype=np.int64)
        self.born = np.array([p.birth_date is not None for p in people], dtype=bool)
        births = [p.birth_date or date(1, 1, 1) for p in people]
        self.birth_year = np.array([b.year for b in births], dtype=np.int64)
        self.birth_day = np.array([b.month * 100 + b.day for b in births], dtype=np.int64)
        # everyone's CEFR rank (0 = none or unknown) in each language anyone speaks
        self._levels: dict[str, NDArray[np.int8]] = {}
        for number, person in enumerate(people):
            for code, level in person.languages.items():
                if code not in self._levels:
                    self._levels[code] = np.zeros(len(people), dtype=np.int8)
                self._levels[code][number] = level_rank(level)
        self._nobody = np.zeros(len(people), dtype=np.int8)
        self.size = len(people)

    def levels(self, code: str) -> NDArray[np.int8]:
        """Everyone's CEFR rank in one language (0 = none or unknown)."""
        return self._levels.get(code, self._nobody)

    def ages(self, today: date) -> NDArray[np.int64]:
        before = self.birth_day > today.month * 100 + today.day
        return np.asarray(today.year - self.birth_year - before, dtype=np.int64)

    def mask(self, offer: Offer, today: date) -> NDArray[np.bool_]:
        size = self.size
        if offer.status != "open" or offer.seats_left <= 0:
            return np.zeros(size, dtype=bool)
        if offer.ends_on is not None and offer.ends_on < today:
            return np.zeros(size, dtype=bool)
        ok = np.ones(size, dtype=bool)
        if offer.permit_must_allow_work:
            ok &= self.permit
        if offer.min_language is not None:
            code, level = offer.min_language
            ok &= self.levels(code) >= level_rank(level)
        if offer.min_education is not None:
            ok &= self.has_education & (self.education >= offer.min_education)
        if offer.age_min is not None or offer.age_max is not None:
            ages = self.ages(today)
            ok &= self.born
            if offer.age_min is not None:
                ok &= ages >= offer.age_min
            if offer.age_max is not None:
                ok &= ages <= offer.age_max
        return ok


def _or(value: int | None, default: int) -> int:
    return default if value is None else value
