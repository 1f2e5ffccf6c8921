"""One pair's criteria in words and numbers, computed straight from the Person and the Offer with
the same numpy functions the indexes apply to arrays (tests check the totals agree)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

import numpy as np
from numpy.typing import NDArray

from services.matching.domain import places
from services.matching.domain import scoring as s
from services.matching.domain import skillspace as k
from services.matching.domain.eligibility import (
    CEFR_LEVELS,
    OFFER_TYPES,
    Offer,
    Person,
    language_name,
    level_rank,
)
from services.matching.domain.skill_gaps import Nearest, SkillGaps, Teachers, gaps
from services.matching.domain.skillspace import SkillSpace
from services.matching.domain.taxonomy import normalise

LISTED = 8  # skills named in a detail (held, missing) before "..."


@dataclass(frozen=True)
class PersonView:
    """What explaining needs of a person, computed once for all the offers explained."""

    person: Person
    credit: NDArray[np.float64]
    source: NDArray[np.int8]
    held: frozenset[str]  # the uris they hold outright (coded, or a label resolved)
    n_held: float  # those skills' weights' sum (see scoring.skill_fit)
    affinity: NDArray[np.float64] | None  # per occupation (``occupation_inference``)
    likely: str | None  # the occupation their skills point to most
    nearest: Nearest  # the held skill nearest to another (``skill_gaps``)


def view(space: SkillSpace, person: Person) -> PersonView:
    own = space.skill_columns(person.skills)
    labelled = space.person_label_columns(person)
    credit, source = space.person_credit(
        space.size,
        own,
        labelled,
        space.occupation_rows(person.desired_occupations | person.experience_occupations),
    )
    columns = space.held(own, labelled)
    outside = frozenset(uri for uri in person.skills if uri not in space.column)
    n_held = space.held_weight(columns, person)
    held = frozenset(space.uris[c] for c in columns) | outside
    affinity = space.inference.affinity(columns)
    likely = None if affinity is None else space.occupation_uris[int(np.argmax(affinity))]
    return PersonView(
        person, credit, source, held, n_held, affinity, likely, Nearest(space.taxonomy, held)
    )


def credit_for(space: SkillSpace, who: PersonView, uri: str) -> float:
    """The person's credit for one skill (``skillspace``'s table)."""
    if uri in who.person.skills:
        return k.OWN
    column = space.column.get(uri)
    return 0.0 if column is None else float(who.credit[column])


def skill_gaps(space: SkillSpace, who: PersonView, offer: Offer, teachers: Teachers) -> SkillGaps:
    credit = partial(credit_for, space, who)
    return gaps(space, who.held, credit, offer, teachers, who.nearest)


def scoring_level(person: Person, code: str) -> int:
    """-1 = the language is recorded with an unknown level, 0 = not recorded, 1..6 = A1..C2."""
    if code not in person.languages:
        return 0
    return level_rank(person.languages[code]) or -1


def town(name: str | None) -> str | None:
    return normalise(name) if name else None


def occupation_grade(space: SkillSpace, mine: frozenset[str], theirs: str) -> int:
    """0 exact, 1 same ISCO unit group, 2 same minor group, 3 none (see scoring.occupation_fit)."""
    if theirs in mine:
        return 0
    groups = space.taxonomy.occupations
    if theirs not in groups:
        return 3
    target = groups[theirs].isco_group
    best = 3
    for uri in mine:
        if uri in groups:
            group = groups[uri].isco_group
            best = min(best, 1 if group[:4] == target[:4] else 2 if group[:3] == target[:3] else 3)
    return best


def criteria(
    space: SkillSpace, who: PersonView, offer: Offer, today: date
) -> dict[str, tuple[float, str]]:
    """Each criterion's score and detail for the pair."""
    person = who.person
    result: dict[str, tuple[float, str]] = {}
    result["skills"] = _skills(space, who, offer)
    result["occupation"] = _occupation(space, who, offer)
    result["language"] = _language(person, offer)
    result["distance"] = _distance(person, offer)
    person_edu = -1 if person.education_level is None else person.education_level
    minimum = -1 if offer.min_education is None else offer.min_education
    result["education"] = (
        float(s.education_fit(person_edu, minimum)),
        "no minimum education" if minimum < 0 else
        f"ISCED {person_edu if person_edu >= 0 else 'unknown'} for a minimum of {minimum}",
    )  # fmt: skip
    need = s.need_index(person.priority_need)
    kind = OFFER_TYPES.index(offer.type)
    priority = float(s.priority_fit(need, kind, person.plans_business))
    result["priority"] = (priority, _priority_detail(person, offer))
    known = offer.starts_on is not None
    days = (offer.starts_on - today).days if offer.starts_on is not None else 0
    start = float(s.start_fit(days, known))
    when = (
        "no start date" if not known else
        f"started {-days} days ago, not ended" if days < 0 else
        f"starts in {days} days ({offer.starts_on})"
    )  # fmt: skip
    result["start"] = (start, when)
    return result


def explanation(weights: s.Weights, found: dict[str, tuple[float, str]]) -> list[s.Criterion]:
    return [
        s.Criterion(name, round(found[name][0], 4), weight, found[name][1])
        for name, weight in weights.items()
    ]


def _skills(space: SkillSpace, who: PersonView, offer: Offer) -> tuple[float, str]:
    def credit(uri: str) -> tuple[float, int, float]:
        """(credit, source, specificity) of one of the offer's skills."""
        column = space.column.get(uri)
        weight = space.weight(uri)
        if uri in who.person.skills:
            return k.OWN, k.FROM_OWN, weight
        if column is None:
            return 0.0, k.NONE, weight
        return float(who.credit[column]), int(who.source[column]), weight

    required = sorted(offer.required_skills)
    preferred = sorted(offer.preferred_skills)
    req = [credit(uri) for uri in required]
    pref = [credit(uri) for uri in preferred]
    used = sorted(who.held & (offer.required_skills | offer.preferred_skills))
    fit = s.skill_fit(
        sum(c * w for c, _, w in req),
        sum(w for _, _, w in req),
        sum(c * w for c, _, w in pref),
        sum(w for _, _, w in pref),
        sum(space.weight(uri) for uri in used),
        who.n_held,
    )
    parts = []
    if required:
        parts.append(_skill_line(space, "required", required, req))
    if preferred:
        parts.append(_skill_line(space, "preferred", preferred, pref))
    if parts and who.held:
        parts.append(f"the offer uses {len(used)} of their {len(who.held)} skills")
    return float(fit), "; ".join(parts) or "the offer lists no skills"


def _skill_line(
    space: SkillSpace, kind: str, uris: list[str], credits: list[tuple[float, int, float]]
) -> str:
    held = [
        space.taxonomy.label(u)
        for u, (_, src, _) in zip(uris, credits, strict=True)
        if src >= k.FROM_LABEL
    ]
    line = f"{len(held)} of {len(uris)} {kind} skills"
    if held:
        line += f" ({_listed(held)})"
    partial = {
        "through a broader skill": (k.FROM_BROADER, k.FROM_BROADER_2),
        "through their occupations": (k.FROM_ESSENTIAL, k.FROM_OPTIONAL),
    }
    for words, codes in partial.items():
        count = sum(1 for _, src, _ in credits if src in codes)
        if count:
            line += f"; {count} more {words}"
    missing = [
        space.taxonomy.label(u)
        for u, (_, src, _) in zip(uris, credits, strict=True)
        if src == k.NONE
    ]
    if missing and kind == "required":  # what would make the offer reachable
        line += f"; missing: {_listed(missing)}"
    return line


def _listed(labels: list[str]) -> str:
    return ", ".join(labels[:LISTED]) + (", ..." if len(labels) > LISTED else "")


def _occupation(space: SkillSpace, who: PersonView, offer: Offer) -> tuple[float, str]:
    person, uri = who.person, offer.occupation_uri
    wanted = offer.sector is not None and offer.sector in person.desired_sectors
    sector = f"a sector they want to work in (NACE {offer.sector})"
    if not uri:
        if wanted:
            return s.SECTOR_FIT, f"the offer names no occupation; {sector}"
        return s.NEUTRAL, "the offer names no occupation"
    desired = occupation_grade(space, person.desired_occupations, uri)
    past = occupation_grade(space, person.experience_occupations, uri)
    declared = bool(person.desired_occupations or person.experience_occupations)
    row = space.occupation.get(uri)
    inferred = (
        float(who.affinity[row]) if row is not None and who.affinity is not None else float("nan")
    )
    fit = float(s.occupation_fit(desired, past, declared, inferred, wanted))
    name = space.taxonomy.label(uri)
    words = (
        "is their",
        "shares the ISCO unit group of their",
        "shares the ISCO minor group of their",
    )
    parts = []
    if desired < 3:
        parts.append(f"{name} {words[desired]} desired occupation")
    elif past < 3:
        parts.append(f"{name} {words[past]} past occupation")
    elif declared:
        parts.append(f"{name} is far from their desired and past occupations")
    if wanted:
        parts.append(sector)
    if row is not None and who.likely is not None:
        reading = (
            f"their skills point to {name}"
            if who.likely == uri
            else f"their skills point to {space.taxonomy.label(who.likely)} "
            f"({inferred:.2f} for {name})"
        )
        columns = space.essential_columns[row]
        held = int((who.source[columns] >= k.FROM_LABEL).sum())
        parts.append(f"{reading}; they hold {held} of its {columns.size} essential skills")
    if not parts:
        parts.append(f"for {name}; no occupation or skills recorded to compare")
    return fit, "; ".join(parts)


def _language(person: Person, offer: Offer) -> tuple[float, str]:
    codes = list(offer.languages_of_instruction)
    if offer.min_language is not None and offer.min_language[0] not in codes:
        codes.append(offer.min_language[0])
    target_code = offer.min_language[0] if offer.min_language else (codes[0] if codes else None)
    course = offer.type == "language_course" and target_code is not None
    target = scoring_level(person, target_code) if target_code else -1
    entry = level_rank(offer.min_language[1]) if offer.min_language else 0
    levels = {code: scoring_level(person, code) for code in codes}
    best = max(codes, key=lambda code: float(s.comfort(levels[code])), default=None)
    comfort = float("nan") if best is None else float(s.comfort(levels[best]))
    fit = float(s.language_fit(course, target, entry, comfort))
    if course and target_code:
        start = CEFR_LEVELS[entry - 1] if entry else "beginner"
        return (
            fit,
            f"{language_name(target_code)} course from {start}; the person has "
            + level_words(target),
        )
    if best is None:
        return fit, "no language of instruction given"
    names = ", ".join(language_name(code) for code in codes)
    return fit, f"taught in {names}; the person's best is {level_words(levels[best])}"


def level_words(rank: int) -> str:
    return "an unknown level" if rank < 0 else "none" if rank == 0 else CEFR_LEVELS[rank - 1]


def _distance(person: Person, offer: Offer) -> tuple[float, str]:
    return distance(person, offer.place, offer.coordinates, offer.municipality)


def distance(
    person: Person,
    place: places.Place | None,
    coordinates: tuple[float, float] | None,
    municipality: str | None,
) -> tuple[float, str]:
    """How near the person is to somewhere (an offer, a service point)."""
    if person.coordinates and coordinates:
        km = float(s.haversine_km(*person.coordinates, *coordinates))
        return float(s.location_fit(km, -1, -1)), f"{km:.0f} km away"
    shared = places.grade(person.place, place)
    if person.place is not None and place is not None:
        fit = float(s.location_fit(float("nan"), -1, -1, shared))
        return fit, f"{places.detail(person.place, place, shared)} (no coordinates)"
    mine, theirs = town(person.municipality), town(municipality)
    a, b = (-1 if mine is None else 0), (-1 if theirs is None else 0 if mine == theirs else 1)
    fit = float(s.location_fit(float("nan"), a, b))
    if mine is None or theirs is None:
        return fit, "location unknown"
    same = "same municipality" if mine == theirs else f"{person.municipality} to {municipality}"
    return fit, f"{same} (no coordinates)"


def _priority_detail(person: Person, offer: Offer) -> str:
    need = person.priority_need
    if person.plans_business and offer.type == "entrepreneurship":
        return "they plan to start a business"
    if need is None:
        return "no priority need recorded"
    if need not in s.PRIORITY_FIT:
        return f"priority need '{need}' is not answered by offers"
    lifted = s.PRIORITY_FIT[need].get(offer.type)
    kind = offer.type.replace("_", " ")
    if lifted is None:
        return f"priority need '{need}': a {kind} does not answer it directly"
    return f"priority need '{need}' lifts a {kind}"
