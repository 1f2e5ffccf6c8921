"""The score of a person for an offer: weighted criteria, each in [0, 1], so the sum is in [0, 1].

Every criterion is a numpy function of per-pair features. The ranker calls them on arrays (one
person against every offer, one offer against every person); the explanation calls the same
functions on the single pair, so the words and numbers shown are the numbers that ranked.

A criterion that cannot be judged (no data on either side, the offer names no occupation, no
priority need) scores ``NEUTRAL`` = 0.5: missing data neither lifts nor sinks an offer against a
middling fit. (Skills are the exception: an offer that lists skills scores 0 on them for a person
with none recorded, since the offer asks for them.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from services.matching.domain.eligibility import OFFER_TYPES
from services.matching.domain.skill_gaps import SkillGaps
from shared.contracts.classifications import NaceSection

NEUTRAL = 0.5
REQUIRED_SHARE = 2 / 3  # required skills count twice as much as preferred ones
# The share of the skill fit that is how much of the person the offer uses (the rest: how much of
# the offer the person covers): a person of five skills whose every skill the offer lists fits it
# better than one who covers as much of it among thirty skills it does not ask for.
USE_SHARE = 0.25
DISTANCE_SCALE_KM = 30.0  # exp(-km / 30): 10 km -> 0.72, 30 km -> 0.37, 60 km -> 0.14
SAME_MUNICIPALITY = 0.9  # no coordinates, same municipality
OTHER_MUNICIPALITY = 0.3  # no coordinates, another municipality
# No coordinates, both places coded: by the finest unit they share (``domain/places.py``): the
# same municipality, NUTS 3 (a province: a commute), NUTS 2, country, or none.
TERRITORY_FIT = np.array([SAME_MUNICIPALITY, 0.7, 0.45, OTHER_MUNICIPALITY, 0.1])
START_SCALE_DAYS = 60.0  # exp(-days / 60): in a month 0.61, in two months 0.37
START_FLOOR = 0.2
STARTED = 0.6  # started but not ended: joining late is possible, not ideal
OVERQUALIFIED_STEP = 0.15  # per ISCED level beyond two above the minimum
EDUCATION_FLOOR = 0.4
# Occupation fit, as stated: the offer's occupation is desired (1.0), in the same ISCO unit group
# as a desired one (0.6) or the same minor group (0.3); past occupations count 0.8 of that. Read
# from skills: see occupation_fit.
OCCUPATION_GRADES = (1.0, 0.6, 0.3)
EXPERIENCE_FACTOR = 0.8
# Comfort in a language of instruction, by CEFR rank (index 0 = unknown level, 1 = none, ...).
COMFORT = np.array([0.3, 0.0, 0.2, 0.4, 0.7, 0.9, 1.0, 1.0])
# A language course fits when the person is at its entry level or one above (room to learn).
COURSE_FIT = np.array([1.0, 1.0, 0.5, 0.15, 0.15, 0.15, 0.15])  # by (person level - entry)
# A priority need lifts the offer types that answer it; the others get OTHER_TYPE.
PRIORITY_FIT: dict[str, dict[str, float]] = {
    "language": {"language_course": 1.0},
    "training": {"training": 1.0, "internship": 0.8},
    "employment": {"job": 1.0, "internship": 0.8, "training": 0.6, "entrepreneurship": 0.6},
    "income": {"job": 1.0, "entrepreneurship": 0.7, "internship": 0.6},
    "digital_skills": {"training": 0.8},
}
OTHER_TYPE = 0.3
# A person whose migration project is to start a business: entrepreneurship offers answer it,
# whatever the pathway's priority need.
BUSINESS_PLAN = 1.0
ENTREPRENEURSHIP = OFFER_TYPES.index("entrepreneurship")
# An offer in a sector (NACE section) the person wants to work in fits them at least as well as
# one of a desired occupation's ISCO unit group.
SECTOR_FIT = OCCUPATION_GRADES[1]
SECTIONS = tuple(section.value for section in NaceSection)
NEEDS = tuple(PRIORITY_FIT)
# rows: priority need (last row: none or a need no offer answers); columns: OFFER_TYPES.
PRIORITY_TABLE = np.array(
    [[PRIORITY_FIT[need].get(kind, OTHER_TYPE) for kind in OFFER_TYPES] for need in NEEDS]
    + [[NEUTRAL] * len(OFFER_TYPES)]
)

# Every criterion takes arrays (one person against many offers, or one offer against many people)
# or plain scalars (one pair, for the explanation).
Ints = NDArray[np.integer[Any]] | int
Bools = NDArray[np.bool_] | bool
Floats = NDArray[np.floating[Any]] | float


@dataclass(frozen=True)
class Weights:
    """How much each criterion counts; non-negative and summing to 1 (configurable per
    cluster). Skills and occupation lead: what providers ask for, and the trade a person's skills
    point to (the defaults were chosen on the tuning people of ``bench/free_text_ranking.py``:
    graded nDCG@10 0.80 at 0.40/0.15, 0.87 at 0.30/0.25, a plateau past it); language follows
    because it decides whether a person can start."""

    skills: float = 0.30
    occupation: float = 0.25
    language: float = 0.15
    distance: float = 0.10
    priority: float = 0.10
    education: float = 0.05
    start: float = 0.05

    def __post_init__(self) -> None:
        values = [getattr(self, item.name) for item in fields(self)]
        if any(not math.isfinite(v) or v < 0 for v in values):
            raise ValueError("weights must be finite and non-negative")
        if abs(sum(values) - 1.0) > 1e-6:
            raise ValueError(f"weights must sum to 1, not {sum(values):.6f}")

    def items(self) -> list[tuple[str, float]]:
        return [(item.name, float(getattr(self, item.name))) for item in fields(self)]


@dataclass(frozen=True)
class Criterion:
    criterion: str
    score: float
    weight: float
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """As the API shows it (``dataclasses.asdict`` deep-copies: 3 ms a page of matches)."""
        return {
            "criterion": self.criterion,
            "score": self.score,
            "weight": self.weight,
            "detail": self.detail,
        }


@dataclass
class Match:
    offer_id: str
    score: float
    eligible: bool
    excluded_by: list[str] = field(default_factory=list)
    explanation: list[Criterion] = field(default_factory=list)
    skills: SkillGaps | None = None


@dataclass
class Candidate:
    beneficiary_id: str
    offer_id: str
    score: float
    eligible: bool
    excluded_by: list[str] = field(default_factory=list)
    explanation: list[Criterion] = field(default_factory=list)
    skills: SkillGaps | None = None


def skill_fit(
    required: Floats,
    n_required: Floats,
    preferred: Floats,
    n_preferred: Floats,
    used: Floats = 0.0,
    n_held: Floats = 0.0,
) -> NDArray[np.float64]:
    """Both sides of the skills, from specificity-weighted sums: the mean credit over required and
    preferred skills (the sums of credits and of weights, ``n_``, of each kind), and the share of
    the person's own skills (``n_held``: their weights' sum) that the offer lists (``used``)."""
    n_req = np.asarray(n_required, dtype=np.float64)
    n_pref = np.asarray(n_preferred, dtype=np.float64)
    n_own = np.asarray(n_held, dtype=np.float64)
    req = np.divide(required, n_req, out=np.zeros(np.broadcast(required, n_req).shape),
                    where=n_req > 0)  # fmt: skip
    pref = np.divide(preferred, n_pref, out=np.zeros(np.broadcast(preferred, n_pref).shape),
                     where=n_pref > 0)  # fmt: skip
    use = np.divide(used, n_own, out=np.zeros(np.broadcast(used, n_own).shape), where=n_own > 0)
    both = REQUIRED_SHARE * req + (1 - REQUIRED_SHARE) * pref
    covered = np.where(n_req > 0, np.where(n_pref > 0, both, req), pref)
    lists = (n_req > 0) | (n_pref > 0)
    two_sided = np.where(n_own > 0, (1 - USE_SHARE) * covered + USE_SHARE * use, covered)
    return np.where(lists, two_sided, NEUTRAL)


def occupation_fit(
    desired: Ints, experience: Ints, declared: Bools, inferred: Floats, sector: Bools
) -> NDArray[np.float64]:
    """How close the offer's occupation is to the person, the best of three readings:

    - stated (where ``declared``: the offer names an occupation and the person declares some):
      ``desired``/``experience`` grade each list, 0 exact, 1 same ISCO unit group, 2 same minor
      group, 3 none;
    - from their skills (``inferred``, NaN when it cannot be judged): the affinity their skills
      give the offer's occupation (``occupation_inference``), so someone who declares nothing is
      still recognised as a bricklayer by holding a bricklayer's skills;
    - the sector (where ``sector``: the offer's NACE section is one the person wants to work
      in): at least ``SECTOR_FIT``, with or without an occupation named.
    """
    grades = np.array([*OCCUPATION_GRADES, 0.0])
    stated = np.maximum(grades[desired], EXPERIENCE_FACTOR * grades[experience])
    skills = np.nan_to_num(inferred)
    fit = np.where(
        declared, np.maximum(stated, skills), np.where(np.isnan(inferred), NEUTRAL, skills)
    )
    return np.where(sector, np.maximum(fit, SECTOR_FIT), fit)


def language_fit(course: Bools, target: Ints, entry: Ints, comfort: Floats) -> NDArray[np.float64]:
    """Language courses: the person's level in the taught language (``target``: -1 unknown, 0
    none, 1..6 A1..C2) against the entry level. Other offers: ``comfort``, the best ``COMFORT``
    over the languages of instruction (NaN when the offer names none)."""
    target = np.asarray(target, dtype=np.int64)
    gap = np.clip(target - np.asarray(entry, dtype=np.int64), 0, len(COURSE_FIT) - 1)
    course_fit = np.where(target < 0, NEUTRAL, COURSE_FIT[gap])
    other = np.where(np.isnan(comfort), NEUTRAL, np.nan_to_num(comfort))
    return np.where(course, course_fit, other)


def comfort(level: Ints) -> NDArray[np.float64]:
    """``COMFORT`` of a scoring level (-1 unknown, 0 none, 1..6)."""
    return np.asarray(COMFORT[np.clip(np.asarray(level, dtype=np.int64) + 1, 0, 7)])


def radians(lat: Floats, lon: Floats) -> tuple[NDArray[np.float64], ...]:
    """(latitude, longitude, cos latitude) in radians: what ``great_circle_km`` reads, computed
    once per side (an index keeps its own)."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.asarray(phi), np.asarray(lam), np.asarray(np.cos(phi))


def great_circle_km(
    a: tuple[NDArray[np.float64], ...], b: tuple[NDArray[np.float64], ...]
) -> NDArray[np.float64]:
    """The haversine distance between points given by ``radians`` (NaN where one is missing)."""
    (phi_a, lam_a, cos_a), (phi_b, lam_b, cos_b) = a, b
    h = np.sin((phi_b - phi_a) / 2) ** 2 + cos_a * cos_b * np.sin((lam_b - lam_a) / 2) ** 2
    return np.asarray(12_742.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


def haversine_km(lat_a: Floats, lon_a: Floats, lat_b: Floats, lon_b: Floats) -> NDArray[np.float64]:
    return great_circle_km(radians(lat_a, lon_a), radians(lat_b, lon_b))


def location_fit(
    km: Floats, town_a: Ints, town_b: Ints, territory: Ints = -1
) -> NDArray[np.float64]:
    """By distance when both have coordinates (``km`` not NaN), else by the territory codes
    (``territory``: the grade of ``places.grade``, -1 when either has no code), else by
    municipality name (ids, -1 unknown), else neutral."""
    town_a, town_b = np.asarray(town_a), np.asarray(town_b)
    territory = np.asarray(territory, dtype=np.int64)
    towns = np.where(
        (town_a >= 0) & (town_b >= 0),
        np.where(town_a == town_b, SAME_MUNICIPALITY, OTHER_MUNICIPALITY),
        NEUTRAL,
    )
    coded = np.where(territory >= 0, TERRITORY_FIT[np.clip(territory, 0, 4)], towns)
    return np.where(np.isnan(km), coded, np.exp(-np.nan_to_num(km) / DISTANCE_SCALE_KM))


def education_fit(person: Ints, minimum: Ints) -> NDArray[np.float64]:
    """-1 = unknown person level or no minimum: neutral. Far above the minimum loses a little
    (an offer pitched well below someone's schooling is a weaker fit)."""
    person, minimum = np.asarray(person, dtype=np.int64), np.asarray(minimum, dtype=np.int64)
    beyond = np.maximum(0, person - minimum - 2)
    fit = np.maximum(EDUCATION_FLOOR, 1.0 - OVERQUALIFIED_STEP * beyond)
    return np.where((person >= 0) & (minimum >= 0), np.where(person >= minimum, fit, 0.0), NEUTRAL)


def priority_fit(need: Ints, kind: Ints, business: Bools) -> NDArray[np.float64]:
    """``need``: index in ``NEEDS`` (len(NEEDS) = none); ``kind``: index in ``OFFER_TYPES``;
    ``business``: the person plans to start a business (entrepreneurship then fits fully)."""
    fit = np.asarray(PRIORITY_TABLE[need, kind], dtype=np.float64)
    planned = np.asarray(business) & (np.asarray(kind) == ENTREPRENEURSHIP)
    return np.where(planned, np.maximum(fit, BUSINESS_PLAN), fit)


def start_fit(days: Ints, known: Bools) -> NDArray[np.float64]:
    days = np.asarray(days, dtype=np.int64)
    soon = np.maximum(START_FLOOR, np.exp(-np.maximum(days, 0) / START_SCALE_DAYS))
    return np.where(known, np.where(days < 0, STARTED, soon), NEUTRAL)


def sector_index(sector: str | None) -> int:
    """The section's place in ``SECTIONS``; -1 (read as nobody's sector) for none."""
    return SECTIONS.index(sector) if sector in SECTIONS else -1


def sector_mask(sectors: frozenset[str]) -> NDArray[np.bool_]:
    """Which sections are among ``sectors``, by ``sector_index`` (the last slot, read by -1,
    stays False)."""
    mask = np.zeros(len(SECTIONS) + 1, dtype=bool)
    mask[[SECTIONS.index(code) for code in sectors if code in SECTIONS]] = True
    return mask


def need_index(need: str | None) -> int:
    return NEEDS.index(need) if need in NEEDS else len(NEEDS)


def total(weights: Weights, criteria: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
    """The weighted sum, clipped against rounding so it always stays in [0, 1]."""
    score: NDArray[np.float64] = np.zeros(np.shape(next(iter(criteria.values()))))
    for name, weight in weights.items():
        if weight:
            score = score + weight * criteria[name]
    return np.clip(score, 0.0, 1.0)
