"""The territorial context of a person (the assessment's starting point) and pathways' check of the
service points an assessment or an action names.

The context follows the access rules of the person's matches exactly: case workers only (403),
the person visible to the caller (404) and consenting to matching (409). Service points are
those published to the caller's organisation (its own, the installation's, its clusters')."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import reach
from services.matching.db import territories as territory_db
from services.matching.db.cluster_scope import member_cluster_ids
from services.matching.db.cluster_tables import ServicePoint
from services.matching.domain import territorial_context as rules
from services.matching.domain.clusters import published_to
from services.matching.domain.needs import NEED_DOMAINS
from services.matching.service.case_access import consented_profile
from services.matching.service.territories import FIELDS
from shared import clock
from shared.auth import Principal


async def _published(
    session: AsyncSession, organization_id: uuid.UUID | None, points: Sequence[ServicePoint]
) -> list[ServicePoint]:
    """Those of ``points`` that ``organization_id`` sees (published to it or its clusters)."""
    if organization_id is None:
        return []
    clusters = await member_cluster_ids(session, organization_id, clock.today())
    return [
        point
        for point in points
        if published_to(point.cluster_ids, point.organization_id, organization_id, clusters)
    ]


def _unit(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}


def _point(point: ServicePoint) -> rules.Point:
    return rules.Point(
        id=point.id,
        name=point.name,
        tier=point.tier,
        territory_code=point.territory_code,
        need_domains=tuple(point.need_domains),
        transport_access=tuple(point.transport_access or ()),
    )


def _proposal(placed: rules.Placed, rows: dict[uuid.UUID, ServicePoint]) -> dict[str, Any]:
    row = rows[placed.point.id]
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "organization_id": row.organization_id,
        "tier": row.tier,
        "territory_code": row.territory_code,
        "address": row.address,
        "need_domains": row.need_domains,
        "languages": row.languages,
        "cultural_mediators": row.cultural_mediators,
        "documents_required": row.documents_required,
        "access_mode": row.access_mode,
        "same_municipality": placed.same_municipality,
        "nearest_hub": placed.hub,
        "minutes": placed.minutes,
    }


async def within_reach(
    session: AsyncSession,
    principal: Principal,
    territory_code: str | None,
    needs: Sequence[str],
) -> tuple[list[Any], str | None, dict[uuid.UUID, ServicePoint]]:
    """(the territory's chain, the root of its reach, the active points within reach that
    answer any of ``needs`` and that the caller sees)."""
    chain = await territory_db.with_ancestors(session, territory_code or "")
    root = rules.reach_root([rules.Unit(row.code, row.scheme, row.level) for row in chain])
    if root is None or not needs:
        return chain, root, {}
    codes = await territory_db.subtree_codes(session, [root])
    found = await reach.answering(session, codes, list(dict.fromkeys(needs)))
    visible = await _published(session, principal.organization_id, found)
    return chain, root, {point.id: point for point in visible}


async def context(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    asked: Sequence[str],
) -> dict[str, Any]:
    profile = await consented_profile(session, principal, beneficiary_id)
    assessed = [need for need in profile.needs or [] if need in NEED_DOMAINS]
    chain, root, rows = await within_reach(
        session, principal, profile.territory_code, [*assessed, *asked]
    )
    home = chain[0].code if chain else ""
    needs = rules.propose([_point(row) for row in rows.values()], home, assessed, asked)
    return {
        "beneficiary_id": beneficiary_id,
        "territory": {**_unit(chain[0]), "parents": [_unit(row) for row in chain[1:]]}
        if chain
        else None,
        "reach": next((_unit(row) for row in chain if row.code == root), None),
        "needs": [
            {
                "domain": need.domain,
                "assessed": need.assessed,
                "service_points": {
                    tier: [_proposal(placed, rows) for placed in placed_points]
                    for tier, placed_points in need.tiers.items()
                },
                "left_out": need.left_out,
            }
            for need in needs
        ],
        "gaps": rules.gaps(needs) if chain else [],
    }


async def check(
    session: AsyncSession,
    ids: Sequence[uuid.UUID],
    organization_id: uuid.UUID,
    territory_codes: Sequence[str],
) -> dict[str, Any]:
    """Which of ``ids`` exist, are active and are published to ``organization_id``; which of
    ``territory_codes`` name no territory."""
    found = [point for point in await reach.by_ids(session, ids) if point.status == reach.ACTIVE]
    usable = await _published(session, organization_id, found)
    usable_ids = {point.id for point in usable}
    known = await territory_db.known_codes(session, sorted(set(territory_codes)))
    return {
        "usable": [
            {
                "id": point.id,
                "name": point.name,
                "tier": point.tier,
                "territory_code": point.territory_code,
                "need_domains": point.need_domains,
            }
            for point in usable
        ],
        "refused": [point_id for point_id in dict.fromkeys(ids) if point_id not in usable_ids],
        "unknown_territory_codes": [code for code in territory_codes if code not in known],
    }
