"""The territorial analysis, computed on request and never stored: for the people living in a
territory whom the caller may count, the needs assessed against the service points and offers
within reach (and the gaps), the skills offers demand against the skills people hold by ESCO
skill group, the tiers people were referred through, and the profile's sourced variables.

Who counts whom: the platform admin everyone (a cluster's members with ``cluster_id``); a
cluster's coordinator the members of a cluster it coordinates (``cluster_id`` required); an org
admin or operator their own organisation's people. Anyone else: 404."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import cluster_scope, territory_profiles
from services.matching.db import territorial_analysis as statements
from services.matching.db import territories as territory_db
from services.matching.db.territorial_analysis import Scope
from services.matching.domain.territorial_analysis import (
    NUTS3_LEVEL,
    OFFER_TYPE_NEEDS,
    Counts,
    needs_report,
    tier_report,
)
from services.matching.errors import AnalysisNotFound, UnknownTerritory
from services.matching.service.territory_profiles import as_read
from shared import clock
from shared.auth import Principal, Role
from shared.errors import FieldError, UnprocessableContent
from shared.suppression import suppress

DEFAULT_PERIOD = timedelta(days=365)


def _invalid(field: str, message: str, code: str) -> UnprocessableContent:
    return UnprocessableContent(
        message, errors=[FieldError(field=field, message=message, code=code)]
    )


def period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    end = date_to or clock.today()
    start = date_from or end - DEFAULT_PERIOD
    if start > end:
        raise _invalid("query.from", "`from` is after `to`", "period")
    return start, end


async def organisations(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID | None
) -> list[uuid.UUID] | None:
    """Whose people the caller counts (none: everyone's), or 404."""
    today = clock.today()
    if principal.has(Role.BENEFICIARY):
        raise AnalysisNotFound()
    if principal.is_platform_admin:
        if cluster_id is None:
            return None
        if not await statements.cluster_exists(session, cluster_id):
            raise AnalysisNotFound()
        return await cluster_scope.member_organization_ids(session, cluster_id, today)
    own = principal.organization_id
    if own is None:
        raise AnalysisNotFound()
    if principal.acts_as(Role.CLUSTER_COORDINATOR) and cluster_id is not None:
        if cluster_id in await cluster_scope.coordinated_cluster_ids(session, own):
            return await cluster_scope.member_organization_ids(session, cluster_id, today)
    if principal.acts_as(Role.ORG_ADMIN, Role.OPERATOR):
        if cluster_id is not None and cluster_id not in await cluster_scope.member_cluster_ids(
            session, own, today
        ):
            raise AnalysisNotFound()
        return [own]
    if principal.acts_as(Role.CLUSTER_COORDINATOR) and cluster_id is None:
        raise _invalid("query.cluster_id", "a coordinator names the cluster", "missing")
    raise AnalysisNotFound()


async def within_reach(
    session: AsyncSession, code: str, codes: list[str]
) -> tuple[str | None, list[str]]:
    """The NUTS 3 region at or above ``code`` and every unit under it; the territory's own units
    for a broader region."""
    chain = await territory_db.with_ancestors(session, code)
    if not chain:
        raise UnknownTerritory()
    nuts3 = next((row.code for row in chain if row.level == NUTS3_LEVEL), None)
    if nuts3 is None or nuts3 == code:
        return nuts3, codes
    return nuts3, await territory_db.subtree_codes(session, [nuts3])


async def analyse(
    session: AsyncSession,
    principal: Principal,
    code: str,
    *,
    date_from: date | None,
    date_to: date | None,
    cluster_id: uuid.UUID | None,
) -> dict[str, Any]:
    start, end = period(date_from, date_to)
    await statements.plain_plans(session)
    orgs = await organisations(session, principal, cluster_id)
    codes = await territory_db.subtree_codes(session, [code])
    if not codes:
        raise UnknownTerritory()
    nuts3, reach = await within_reach(session, code, codes)
    scope = Scope(codes, reach, orgs, cluster_id, start, end)
    needs = await statements.needs(session, scope)
    offers = {
        row.type: (row.offers, int(row.seats))
        for row in await statements.offer_types(session, scope)
    }
    counts = Counts(
        people=next((row.people for row in needs if row.need is None), 0),
        needs={row.need: row.people for row in needs if row.need is not None},
        points={
            (row.need, row.tier): row.points for row in await statements.points(session, scope)
        },
        offers=offers,
    )
    rows, gaps = needs_report(counts)
    referred = await statements.tiers(session, scope)
    tiers = [
        (row.value, int(row.referrals), row.people) for row in referred if row.dimension == "tier"
    ]
    paths = [(row.value, row.people) for row in referred if row.dimension == "path"]
    profile = await territory_profiles.values(session, code, history=False)
    return {
        "territory": code,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "cluster_id": str(cluster_id) if cluster_id else None,
        "organizations": "all" if orgs is None else len(orgs),
        "within_reach": {"nuts3": nuts3, "units": len(reach)},
        "people": suppress(counts.people),
        "needs": rows,
        "gaps": gaps,
        "offers_by_type": {
            kind: {"offers": count, "seats": seats, "answers": list(OFFER_TYPE_NEEDS.get(kind, ()))}
            for kind, (count, seats) in sorted(offers.items())
        },
        "skills": [
            {
                "group": row.group_uri or None,
                "code": row.code,
                "label": row.label if row.group_uri else "outside the ESCO hierarchy",
                "offers_demanding": int(row.offers),
                "people_holding": suppress(int(row.people)),
            }
            for row in await statements.skill_groups(session, scope)
        ],
        "tiers": tier_report(tiers, paths),
        "profile": [as_read(row) for row in profile],
        "computed_at": clock.now().isoformat(),
    }
