"""The service points among a person's matches: those within their reach, published to the
caller, that answer their priority need or another assessed need, scored and explained by
``domain/service_fit.py`` with the cluster's weights, best first."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import places
from services.matching.db.models import CandidateProfile
from services.matching.domain import explain, service_fit
from services.matching.domain import scoring as s
from services.matching.domain.eligibility import Person
from services.matching.domain.needs import NEED_DOMAINS
from services.matching.service import explanations
from services.matching.service.territorial_context import within_reach
from shared.auth import Principal


async def services(
    session: AsyncSession,
    principal: Principal,
    profile: CandidateProfile,
    person: Person,
    weights: s.Weights,
    limit: int,
) -> list[dict[str, Any]]:
    needs = [
        need
        for need in dict.fromkeys([person.priority_need, *(profile.needs or [])])
        if need in NEED_DOMAINS
    ]
    _, _, rows = await within_reach(session, principal, profile.territory_code, needs)
    known = await places.of_codes(session, {row.territory_code for row in rows.values()})
    found = []
    for row in rows.values():
        facts = service_fit.ServiceFacts(
            need_domains=tuple(row.need_domains),
            languages=tuple(row.languages or ()),
            place=known.get(row.territory_code),
            coordinates=(row.latitude, row.longitude)
            if row.latitude is not None and row.longitude is not None
            else None,
        )
        pair = service_fit.criteria(person, facts)
        score = round(explanations.pair_score(weights, pair), 4)
        found.append(
            {
                "service_point": {
                    "id": str(row.id),
                    "name": row.name,
                    "kind": row.kind,
                    "tier": row.tier,
                    "organization_id": str(row.organization_id),
                    "territory_code": row.territory_code,
                    "address": row.address,
                    "need_domains": list(row.need_domains),
                    "languages": list(row.languages or ()),
                    "access_mode": row.access_mode,
                },
                "score": score,
                "eligible": True,
                "excluded_by": [],
                "explanation": [c.as_dict() for c in explain.explanation(weights, pair)],
            }
        )
    found.sort(key=_order)
    return found[:limit]


def _order(item: dict[str, Any]) -> tuple[float, str, str]:
    """Best first; equal scores by name, then id."""
    point = item["service_point"]
    return -item["score"], point["name"], point["id"]
