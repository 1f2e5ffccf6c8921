"""The structured explanation of a match as the API shows it: skill labels in the caller's
language, teaching offers that are still open and visible, and how free text was read."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from services.matching.domain.eligibility import Person
from services.matching.domain.skill_gaps import SkillGaps
from services.matching.domain.skillspace import SkillSpace
from services.matching.domain.taxonomy import Taxonomy


def teaching_ids(found: Collection[SkillGaps | None]) -> set[str]:
    return {offer for gaps in found if gaps for gap in gaps.missing for offer in gap.taught_by}


def skills_read(
    taxonomy: Taxonomy, gaps: SkillGaps | None, language: str, titles: Mapping[str, str]
) -> dict[str, Any]:
    """``titles``: the teaching offers the caller may still see, by id (others are left out)."""
    if gaps is None:
        return {"matched": [], "missing": [], "missing_total": 0}

    def named(uri: str) -> dict[str, str]:
        return {"uri": uri, "label": taxonomy.label_in(uri, language)}

    return {
        "matched": [named(uri) for uri in gaps.matched],
        "missing": [
            {
                **named(gap.uri),
                "nearest": named(gap.nearest) if gap.nearest else None,
                "taught_by": [
                    {"offer_id": offer, "title": titles[offer]}
                    for offer in gap.taught_by
                    if offer in titles
                ],
            }
            for gap in gaps.missing
        ],
        "missing_total": gaps.missing_total,
    }


def free_text(space: SkillSpace, person: Person, language: str) -> list[dict[str, Any]]:
    """How each free-text skill of the person was read for the ranking (``reading``)."""
    return [
        {
            "text": text,
            "uri": uri,
            "label": space.taxonomy.label_in(uri, language) if uri else None,
            "confidence": confidence,
        }
        for text, uri, confidence in space.reading(person)
    ]
