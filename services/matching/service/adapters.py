"""From matching's rows to the engine's values: the read model's profile to a ``Person``, an
offer row to an ``Offer``. The only place that knows both shapes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.matching.db import models
from services.matching.domain import eligibility as engine
from services.matching.domain.places import Place

NOWHERE: Mapping[str, Place] = {}

# Intake's vulnerability level as a weight in [0, 1] for the allocation's "favour the most
# vulnerable" option; critical (an ILO forced-labour indicator) counts most.
VULNERABILITY = {"low": 0.0, "medium": 0.5, "high": 0.8, "critical": 1.0}


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else None


def _uris(items: Any) -> frozenset[str]:
    return frozenset(item["uri"] for item in items or () if item.get("uri"))


def person(
    beneficiary_id: Any,
    profile: Mapping[str, Any],
    priority_need: str | None = None,
    place: Place | None = None,
    reading: Mapping[str, Any] | None = None,
) -> engine.Person:
    """``reading``: the profile's stored ``skill_reading`` (``service/skill_readings.py``)."""
    languages: dict[str, str | None] = {}
    for language in profile.get("languages") or ():
        # Native speakers meet any level; an unknown level stays unknown (never passes a minimum).
        languages[language["code"]] = "C2" if language.get("native") else language.get("level")
    education = profile.get("education_level")
    return engine.Person(
        beneficiary_id=str(beneficiary_id),
        birth_date=_date(profile.get("birth_date")),
        permit_allows_work=profile.get("permit_allows_work"),
        languages=languages,
        education_level=int(education) if education not in (None, "") else None,
        municipality=profile.get("municipality"),
        place=place,
        skills=_uris(profile.get("skills")),
        skill_labels=tuple(
            skill["label"] for skill in profile.get("skills") or () if not skill.get("uri")
        ),
        skill_reading=_reading(reading),
        reading_stamp=reading.get("stamp") if reading else None,
        desired_occupations=_uris(profile.get("desired_occupations")),
        experience_occupations=_uris(profile.get("experience_occupations")),
        priority_need=priority_need,
        desired_sectors=frozenset(profile.get("desired_sectors") or ()),
        plans_business=bool(profile.get("plans_business")),
        vulnerability=VULNERABILITY.get(profile.get("vulnerability_level") or "", 0.0),
    )


def _reading(stored: Mapping[str, Any] | None) -> dict[str, tuple[str | None, float | None]] | None:
    if not stored:
        return None
    return {
        text: (found.get("uri"), found.get("confidence"))
        for text, found in (stored.get("skills") or {}).items()
    }


def profile_person(
    row: models.CandidateProfile, places: Mapping[str, Place] = NOWHERE
) -> engine.Person:
    """``places``: the places of the territory codes in use (``db.places.of_codes``)."""
    place = places.get(row.territory_code) if row.territory_code else None
    return person(row.beneficiary_id, row.profile, row.priority_need, place, row.skill_reading)


def offer(row: Any, places: Mapping[str, Place] = NOWHERE) -> engine.Offer:
    """``row``: an ``Offer`` or a row of its columns (the index loads columns, not objects);
    ``places``: the places of the territory codes in use."""
    language = (
        (row.min_language_code, row.min_language_level)
        if row.min_language_code and row.min_language_level
        else None
    )
    coordinates = (
        (row.latitude, row.longitude)
        if row.latitude is not None and row.longitude is not None
        else None
    )
    return engine.Offer(
        id=str(row.id),
        type=row.type,  # validated on the way in
        status=row.status,
        seats=row.seats,
        seats_taken=row.seats_taken,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        municipality=row.municipality,
        place=places.get(row.territory_code) if row.territory_code else None,
        coordinates=coordinates,
        organization_id=row.organization_id,
        cluster_ids=frozenset(row.cluster_ids or ()),
        required_skills=frozenset(row.required_skills or ()),
        preferred_skills=frozenset(row.preferred_skills or ()),
        taught_skills=frozenset(row.taught_skills or ()),
        occupation_uri=row.occupation_uri,
        sector=row.sector,
        min_language=language,
        min_education=row.min_education_level,
        age_min=row.age_min,
        age_max=row.age_max,
        permit_must_allow_work=row.permit_must_allow_work,
        languages_of_instruction=tuple(row.languages_of_instruction or ()),
    )


def exclusions(profile: models.CandidateProfile, row: models.Offer, today: date) -> list[str]:
    """The hard rules the person breaks for the offer ([] = eligible)."""
    return engine.exclusions(profile_person(profile), offer(row), today)
