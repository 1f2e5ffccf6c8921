"""The structured explanation of a match as the API shows it: skill labels in the caller's
language, teaching offers that are still open and visible, and how free text was read."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import offers, places
from services.matching.db.models import CandidateProfile
from services.matching.domain import explain
from services.matching.domain import scoring as s
from services.matching.domain.catalogue import Viewer
from services.matching.domain.eligibility import Person
from services.matching.domain.ranker import OfferIndex
from services.matching.domain.skill_gaps import SkillGaps
from services.matching.domain.skillspace import SkillSpace
from services.matching.domain.taxonomy import Taxonomy
from services.matching.service import adapters
from services.matching.service import on_the_loop as loop
from services.matching.service.indexes import Indexes
from shared import clock


def pair_score(weights: s.Weights, found: dict[str, tuple[float, str]]) -> float:
    """One pair's score from its explained criteria, by the engine's own weighted sum."""
    criteria = {name: np.array(value) for name, (value, _) in found.items()}
    return float(s.total(weights, criteria))


def visible(offer_index: OfferIndex, seen_by: Viewer) -> NDArray[np.bool_]:
    """The offers of the index the caller may see."""
    if seen_by.unrestricted:
        return np.ones(len(offer_index.offers), dtype=bool)
    return offer_index.visible(seen_by.organization_id, seen_by.cluster_ids)


async def teaching_titles(
    session: AsyncSession, found: Collection[SkillGaps | None], seen_by: Viewer
) -> dict[str, str]:
    """The offers these gaps name as teaching a skill that are still open and visible to the
    caller, by id, with their titles (one read of their rows as they are now)."""
    taught = {offer for gaps in found if gaps for gap in gaps.missing for offer in gap.taught_by}
    live = await offers.live_columns(session, taught)
    return {
        offer: live[offer].title
        for offer in taught
        if offer in live
        and live[offer].status == "open"
        and seen_by.sees(live[offer].cluster_ids, live[offer].organization_id)
    }


async def explain_pair(
    session: AsyncSession,
    indexes: Indexes,
    weights: s.Weights,
    seen_by: Viewer,
    profile: CandidateProfile,
    offer_row: Any,
    language: str,
) -> tuple[float, dict[str, Any]]:
    """One pair's score and explanation as matches show it (a referral keeps it as proposed)."""
    taxonomy = await indexes.taxonomy(session)
    offer_index = await indexes.offers(session)
    codes = [profile.territory_code, offer_row.territory_code]
    known = await places.of_codes(session, [code for code in codes if code])
    person = adapters.profile_person(profile, known)
    offer = adapters.offer(offer_row, known)
    today = clock.today()
    allowed = visible(offer_index, seen_by)

    def compute() -> tuple[dict[str, tuple[float, str]], SkillGaps]:
        space = SkillSpace.of(taxonomy)
        who = explain.view(space, person)
        teachers = offer_index.teachers_for(person, today, allowed)
        found = explain.criteria(space, who, offer, today)
        return found, explain.skill_gaps(space, who, offer, teachers)

    found, gaps = await loop.run(len(offer_index.offers) <= loop.OFFERS, compute)
    titles = await teaching_titles(session, [gaps], seen_by)
    return pair_score(weights, found), {
        "explanation": [c.as_dict() for c in explain.explanation(weights, found)],
        "skills": skills_read(taxonomy, gaps, language, titles),
    }


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
