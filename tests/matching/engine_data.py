"""Test data for the pure matching engine: the taxonomy the tests run on, realistic random people
and offers (also used by ``bench/matching_engine.py``), and hypothesis strategies that reach the
corners (missing data, no seats, closed or ended offers, age ranges, minimums, permits).

The taxonomy is the committed subset (``services/matching/taxonomy/subset/``, official ESCO CSV
format) when the checkout has it; only when that folder is absent is a subset cut in-process from
the official v1.1.1 archives in ``/work/shared/data/esco`` (a few seconds, cached per session).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from hypothesis import strategies as st

from services.matching.domain.eligibility import CEFR_LEVELS, OFFER_TYPES, Offer, Person
from services.matching.domain.scoring import NEEDS
from services.matching.domain.taxonomy import Taxonomy, cut, load_csv

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ROOT / "services" / "matching" / "taxonomy" / "subset"
ESCO = Path("/work/shared/data/esco")
# The fallback subset: occupations many newcomers start in (care, sales, building, food and
# garment trades, drivers, cleaning, farm and factory labour, food preparation).
FALLBACK_ISCO = ("51", "52", "71", "75", "83", "91", "92", "93", "94", "96")
TODAY = date(2027, 3, 15)
LANGUAGES = ("it", "en", "fr", "ar", "es")
SECTORS = ("C", "F", "G", "I", "Q")  # NACE sections: manufacturing, construction, ...
TOWNS = ("Milano", "Monza", "Bergamo", "Brescia", "Pavia", "Lodi", "Como", "Varese")
T = TypeVar("T")
CENTRE = (45.46, 9.19)  # Milan; coordinates are drawn within about 60 km


def esco_archives() -> list[Path]:
    return sorted(ESCO.glob("*.zip"))


@functools.cache
def whole_taxonomy() -> Taxonomy:
    """The whole official ESCO v1.1.1 (both archives)."""
    return load_csv(*esco_archives())


def taxonomy_source() -> str:
    return str(SUBSET) if SUBSET.is_dir() else f"cut {FALLBACK_ISCO} of {ESCO}"


@functools.cache
def subset_taxonomy() -> Taxonomy:
    if SUBSET.is_dir():
        return load_csv(*(sorted(SUBSET.glob("*.zip")) or [SUBSET]))
    return cut(whole_taxonomy(), FALLBACK_ISCO)


@dataclass(frozen=True)
class Pool:
    """What random people and offers draw from: occupations with enough skills, each with its
    essential and optional skills as sorted lists (sampling needs sequences)."""

    taxonomy: Taxonomy
    occupations: list[str]
    essential: dict[str, list[str]]
    optional: dict[str, list[str]]
    labels: list[str]  # preferred labels of some skills, for free-text skills


@functools.cache
def pool(taxonomy: Taxonomy, size: int | None = None) -> Pool:
    """``size``: keep only the first ``size`` occupations (a small pool makes overlaps likely)."""
    occupations = sorted(u for u in taxonomy.occupations if len(taxonomy.essential.get(u, ())) >= 3)
    occupations = occupations[:size] if size else occupations
    essential = {u: sorted(taxonomy.essential[u]) for u in occupations}
    optional = {u: sorted(taxonomy.optional.get(u, ())) for u in occupations}
    labels = sorted({taxonomy.skills[s].label for u in occupations[:20] for s in essential[u]})
    return Pool(taxonomy, occupations, essential, optional, labels)


def _maybe(rng: random.Random, value: T, share: float = 0.85) -> T | None:
    return value if rng.random() < share else None


def _place(rng: random.Random) -> tuple[float, float]:
    return (CENTRE[0] + rng.uniform(-0.5, 0.5), CENTRE[1] + rng.uniform(-0.5, 0.5))


def random_person(source: Pool, rng: random.Random, number: int) -> Person:
    occupation = rng.choice(source.occupations)
    essential, optional = source.essential[occupation], source.optional[occupation]
    skills = set(rng.sample(essential, rng.randint(0, len(essential))))
    skills |= set(rng.sample(optional, rng.randint(0, min(4, len(optional)))))
    languages: dict[str, str | None] = {
        code: rng.choice((*CEFR_LEVELS, None)) for code in rng.sample(LANGUAGES, rng.randint(0, 3))
    }
    desired = {rng.choice(source.occupations) for _ in range(rng.randint(0, 2))}
    if rng.random() < 0.5:
        desired.add(occupation)
    apart = _apart(f"person-{number}")
    return Person(
        beneficiary_id=f"person-{number:06d}",
        birth_date=_maybe(rng, date(1960, 1, 1) + timedelta(days=rng.randint(0, 17_500))),
        permit_allows_work=rng.choice((True, True, False, None)),
        languages=languages,
        education_level=_maybe(rng, rng.randint(0, 8)),
        municipality=_maybe(rng, rng.choice(TOWNS)),
        coordinates=_maybe(rng, _place(rng), 0.6),
        skills=frozenset(skills),
        skill_labels=tuple(rng.sample(source.labels, rng.randint(0, 2))),
        desired_occupations=frozenset(desired),
        experience_occupations=frozenset(rng.sample(source.occupations, rng.randint(0, 2))),
        priority_need=rng.choice((*NEEDS, None, "housing")),
        vulnerability=rng.random(),
        desired_sectors=frozenset(apart.sample(SECTORS, apart.randint(0, 2))),
        plans_business=apart.random() < 0.2,
    )


def _apart(label: str) -> random.Random:
    """Draws of their own for the fields added after the cohorts were fixed, so that the cohorts
    drawn before (and the figures measured on them) stay the same."""
    return random.Random(label)


def random_offer(source: Pool, rng: random.Random, number: int, today: date = TODAY) -> Offer:
    occupation = rng.choice(source.occupations)
    essential, optional = source.essential[occupation], source.optional[occupation]
    kind = rng.choice(OFFER_TYPES)
    starts = today + timedelta(days=rng.randint(-60, 180))
    seats = rng.randint(0, 6)
    minimum_language = (rng.choice(LANGUAGES), rng.choice(CEFR_LEVELS))
    age_min = _maybe(rng, rng.randint(16, 30), 0.3)
    apart = _apart(f"offer-{number}")
    return Offer(
        id=f"offer-{number:06d}",
        type=kind,
        status=rng.choices(("open", "draft", "closed"), (8, 1, 1))[0],
        seats=seats,
        seats_taken=rng.randint(0, seats),
        starts_on=_maybe(rng, starts),
        ends_on=_maybe(rng, starts + timedelta(days=rng.randint(-30, 200))),
        municipality=_maybe(rng, rng.choice(TOWNS)),
        coordinates=_maybe(rng, _place(rng), 0.6),
        required_skills=frozenset(rng.sample(essential, min(len(essential), rng.randint(0, 6)))),
        preferred_skills=frozenset(rng.sample(optional, min(len(optional), rng.randint(0, 3)))),
        occupation_uri=_maybe(rng, occupation, 0.7) if kind != "language_course" else None,
        min_language=_maybe(rng, minimum_language, 0.4),
        min_education=_maybe(rng, rng.randint(0, 6), 0.3),
        age_min=age_min,
        age_max=_maybe(rng, rng.randint(age_min or 18, 65), 0.3),
        permit_must_allow_work=kind in ("job", "internship") and rng.random() < 0.7,
        languages_of_instruction=tuple(rng.sample(LANGUAGES, rng.randint(0, 2))),
        sector=_maybe(apart, apart.choice(SECTORS), 0.5) if kind != "language_course" else None,
    )


def random_people(source: Pool, count: int, seed: int) -> list[Person]:
    rng = random.Random(seed)
    return [random_person(source, rng, number) for number in range(count)]


def random_offers(source: Pool, count: int, seed: int, today: date = TODAY) -> list[Offer]:
    rng = random.Random(seed)
    return [random_offer(source, rng, number, today) for number in range(count)]


# Hypothesis strategies: small value sets, so that equal values, boundaries and gaps all occur;
# each rule is present on about a third of the offers, so that eligible pairs stay common.

DAYS = st.integers(min_value=-40, max_value=40).map(lambda d: TODAY + timedelta(days=d))
BIRTHS = st.one_of(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2015, 12, 31)),
    # birthdays on and around today's date, and 29 February, test the age arithmetic
    st.sampled_from([date(2009, 3, 15), date(2009, 3, 16), date(1997, 3, 14), date(2008, 2, 29)]),
)
LEVELS = st.one_of(st.none(), st.sampled_from(CEFR_LEVELS))


def sometimes(strategy: st.SearchStrategy[T], share: int = 3) -> st.SearchStrategy[T | None]:
    """``strategy`` once in ``share`` draws, else None."""
    return st.integers(1, share).flatmap(lambda n: strategy if n == share else st.none())


def usually(strategy: st.SearchStrategy[T], share: int = 5) -> st.SearchStrategy[T | None]:
    """None once in ``share`` draws, else ``strategy``."""
    return st.integers(1, share).flatmap(lambda n: st.none() if n == share else strategy)


def people_strategy(uris: Sequence[str], occupations: Sequence[str]) -> st.SearchStrategy[Person]:
    return st.builds(
        Person,
        beneficiary_id=st.uuids().map(str),
        birth_date=usually(BIRTHS),
        permit_allows_work=st.sampled_from((True, True, False, None)),
        languages=st.dictionaries(st.sampled_from(LANGUAGES[:3]), LEVELS, max_size=3),
        education_level=usually(st.integers(0, 8)),
        municipality=usually(st.sampled_from(TOWNS[:3])),
        coordinates=sometimes(st.one_of(st.just(CENTRE), st.builds(_place, st.randoms()))),
        skills=st.frozensets(st.sampled_from(uris), max_size=6),
        desired_occupations=st.frozensets(st.sampled_from(occupations), max_size=2),
        experience_occupations=st.frozensets(st.sampled_from(occupations), max_size=2),
        priority_need=st.one_of(st.none(), st.sampled_from((*NEEDS, "housing"))),
        vulnerability=st.floats(0.0, 1.0),
        desired_sectors=st.frozensets(st.sampled_from(SECTORS), max_size=2),
        plans_business=st.booleans(),
    )


def offers_strategy(uris: Sequence[str], occupations: Sequence[str]) -> st.SearchStrategy[Offer]:
    ages = sometimes(st.integers(14, 70))
    return st.builds(
        Offer,
        id=st.uuids().map(str),
        type=st.sampled_from(OFFER_TYPES),
        status=st.sampled_from(("open",) * 6 + ("draft", "closed")),
        seats=st.sampled_from((2, 1, 3, 0)),
        seats_taken=st.sampled_from((0, 0, 0, 1, 2)),
        starts_on=sometimes(DAYS, 2),
        ends_on=sometimes(DAYS),
        municipality=sometimes(st.sampled_from(TOWNS[:3]), 2),
        coordinates=sometimes(st.one_of(st.just(CENTRE), st.builds(_place, st.randoms()))),
        required_skills=st.frozensets(st.sampled_from(uris), max_size=4),
        preferred_skills=st.frozensets(st.sampled_from(uris), max_size=3),
        occupation_uri=sometimes(st.sampled_from(occupations), 2),
        min_language=sometimes(
            st.tuples(st.sampled_from(LANGUAGES[:3]), st.sampled_from(CEFR_LEVELS))
        ),
        min_education=sometimes(st.integers(0, 8)),
        age_min=ages,
        age_max=ages,
        permit_must_allow_work=st.booleans(),
        languages_of_instruction=st.lists(st.sampled_from(LANGUAGES[:3]), max_size=2).map(tuple),
        sector=sometimes(st.sampled_from(SECTORS), 2),
    )


@functools.cache
def strategy_pool() -> tuple[list[str], list[str]]:
    """A few dozen skill uris (essential and optional skills of a few occupations, and some of
    their broader concepts) and those occupations: small enough that people and offers share."""
    taxonomy = subset_taxonomy()
    source = pool(taxonomy, 6)
    uris: set[str] = set()
    for occupation in source.occupations:
        uris |= set(source.essential[occupation][:5]) | set(source.optional[occupation][:2])
    for uri in sorted(uris)[:10]:
        uris |= set(sorted(taxonomy.broader.get(uri, ()))[:1])
    uris.add("http://example.org/skill/not-in-esco")
    return sorted(uris), source.occupations


def people() -> st.SearchStrategy[Person]:
    return st.deferred(lambda: people_strategy(*strategy_pool()))


def offers() -> st.SearchStrategy[Offer]:
    return st.deferred(lambda: offers_strategy(*strategy_pool()))
