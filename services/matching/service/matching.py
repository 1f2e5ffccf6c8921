"""Matches for a person and candidates for an offer (allocations: ``allocations.py``): the engine
run on the indexes, with everything it returns re-checked against the live rows (seats,
visibility, consent), so a lagging index never shows an ineligible or invisible pair."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import offers, places
from services.matching.db import people as people_repository
from services.matching.db.models import CandidateProfile
from services.matching.domain import eligibility as engine
from services.matching.domain import explain
from services.matching.domain import scoring as s
from services.matching.domain.esco import DEFAULT_LANGUAGE
from services.matching.domain.ranker import top
from services.matching.domain.skillspace import SkillSpace
from services.matching.service import adapters, explanations, service_matches
from services.matching.service import on_the_loop as loop
from services.matching.service.case_access import consented_profile, require_case_role
from services.matching.service.indexes import Indexes, summary
from shared import clock
from shared.auth import Principal
from shared.offload import run_in_thread

MARGIN = 10  # extra offers ranked in case some turn out full when checked live


def weights_of(configured: dict[str, float]) -> s.Weights:
    """The cluster's weights: the configured ones over the defaults."""
    return s.Weights(**{**dict(s.Weights().items()), **configured})


async def matches(
    session: AsyncSession,
    indexes: Indexes,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    *,
    weights: s.Weights,
    limit: int,
    include_ineligible: bool,
    types: Sequence[str] | None,
    language: str = DEFAULT_LANGUAGE,
    include_services: bool = False,
) -> dict[str, Any]:
    """The page of ``MatchList``: the offers, best first, and how free text was read."""
    profile = await consented_profile(session, principal, beneficiary_id)
    person = adapters.profile_person(
        profile, await places.of_codes(session, [profile.territory_code])
    )
    seen_by = await offers.viewer(session, principal)
    offer_index = await indexes.offers(session)
    today = clock.today()
    allowed = None if seen_by.unrestricted else explanations.visible(offer_index, seen_by)
    # Vectorised scoring over every offer: in a thread when the index is large (numpy leaves the
    # GIL), on the loop when it is small (see loop.OFFERS).
    ranked = await loop.run(
        len(offer_index.offers) <= loop.OFFERS,
        offer_index.rank,
        person,
        today,
        weights=weights,
        limit=limit + MARGIN,
        include_ineligible=include_ineligible,
        types=types,
        allowed=allowed,
        explained=False,
    )
    live = await offers.live_columns(session, [match.offer_id for match in ranked])
    kept: list[tuple[Any, Any, list[str]]] = []
    for match in ranked:
        row = live.get(match.offer_id)
        if (
            row is None
            or row.status == "draft"
            or not seen_by.sees(row.cluster_ids, row.organization_id)
        ):
            continue  # deleted, withdrawn to draft or to other clusters since the index
        reasons = engine.exclusions(person, adapters.offer(row), today)
        if reasons and not include_ineligible:
            continue
        kept.append((match, row, reasons))
    kept = kept[:limit]
    # Explained only now, for what is shown: the costly part of a ranking.
    shown = [match for match, _, _ in kept]
    await loop.run(
        len(shown) <= loop.EXPLAINED,
        offer_index.explain,
        person,
        today,
        weights,
        shown,
        allowed,
    )
    titles = await explanations.teaching_titles(session, [match.skills for match in shown], seen_by)
    taxonomy = offer_index.space.taxonomy
    results = [
        {
            "offer": summary(row),
            "score": round(match.score, 4),
            "eligible": not reasons,
            "excluded_by": reasons,
            "explanation": [c.as_dict() for c in match.explanation],
            "skills": explanations.skills_read(taxonomy, match.skills, language, titles),
        }
        for match, row, reasons in kept
    ]
    return {
        "items": results,
        "next_cursor": None,
        "services": await service_matches.services(
            session, principal, profile, person, weights, limit
        )
        if include_services
        else [],
        "free_text_skills": explanations.free_text(offer_index.space, person, language),
    }


async def candidates(
    session: AsyncSession,
    indexes: Indexes,
    principal: Principal,
    offer_id: uuid.UUID,
    *,
    weights: s.Weights,
    limit: int,
    include_ineligible: bool,
    language: str = DEFAULT_LANGUAGE,
) -> list[dict[str, Any]]:
    require_case_role(principal)
    offer_row = await offers.get_readable(session, principal, offer_id)
    offer = adapters.offer(offer_row, await places.of_codes(session, [offer_row.territory_code]))
    people = await indexes.people(session)
    taxonomy = await indexes.taxonomy(session)
    today = clock.today()
    score = await run_in_thread(people.scores, offer, today, weights, interactive=True)
    keep = np.ones(len(people.people), dtype=bool)
    if not include_ineligible:
        keep &= people.rules.mask(offer, today)
    wanted = limit + MARGIN
    found: dict[str, CandidateProfile] = {}
    checked = 0
    while True:
        positions = top(score, people.tie, keep, wanted)
        batch = [people.people[p].beneficiary_id for p in positions[checked:].tolist()]
        checked = len(positions)
        found.update(await people_repository.visible_consented(session, principal, batch))
        exhausted = checked >= int(keep.sum())
        if len(found) >= limit + MARGIN or exhausted or not batch:
            break
        wanted *= 8  # the caller sees only part of everyone: look further down
    space = SkillSpace.of(taxonomy)
    known = await places.of_codes(session, [p.territory_code for p in found.values()])
    offer_index = await indexes.offers(session)
    seen_by = await offers.viewer(session, principal)
    allowed = explanations.visible(offer_index, seen_by)
    shown: list[tuple[dict[str, Any], explain.PersonView, float]] = []
    for beneficiary_id, profile in found.items():
        person = adapters.profile_person(profile, known)
        reasons = engine.exclusions(person, offer, today)
        if reasons and not include_ineligible:
            continue
        who = explain.view(space, person)
        pair = explain.criteria(space, who, offer, today)
        item = {
            "beneficiary_id": beneficiary_id,
            "score": round(explanations.pair_score(weights, pair), 4),
            "eligible": not reasons,
            "excluded_by": reasons,
            "explanation": [c.as_dict() for c in explain.explanation(weights, pair)],
        }
        shown.append((item, who, pair["skills"][0]))
    # the engine's order: the score, then the skill fit, then the id
    shown.sort(key=lambda row: (-row[0]["score"], -row[2], row[0]["beneficiary_id"]))
    kept = shown[:limit]
    # the skill gaps only for those shown (each reads the person's eligibility for every offer)
    gaps = [
        explain.skill_gaps(space, who, offer, offer_index.teachers_for(who.person, today, allowed))
        for _, who, _ in kept
    ]
    titles = await explanations.teaching_titles(session, gaps, seen_by)
    return [
        {**item, "skills": explanations.skills_read(taxonomy, found_gaps, language, titles)}
        for (item, _, _), found_gaps in zip(kept, gaps, strict=True)
    ]
