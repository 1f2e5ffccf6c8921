"""Service points as the territorial context and the pathways' check read them: the active points
of some territories answering some needs, and points by id. Visibility to the caller's clusters
is applied by the application layer (``domain.clusters.published_to``) on what these return."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.cluster_tables import ServicePoint

ACTIVE = "active"


async def answering(
    session: AsyncSession, territory_codes: Sequence[str], needs: Sequence[str]
) -> list[ServicePoint]:
    """The active points located in ``territory_codes`` that answer any of ``needs``."""
    if not territory_codes or not needs:
        return []
    found = await session.scalars(
        select(ServicePoint).where(
            ServicePoint.status == ACTIVE,
            ServicePoint.territory_code.in_(territory_codes),
            ServicePoint.need_domains.overlap(list(needs)),
        )
    )
    return list(found)


async def by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[ServicePoint]:
    """The points among ``ids`` that exist, whatever their status."""
    if not ids:
        return []
    found = await session.scalars(select(ServicePoint).where(ServicePoint.id.in_(list(ids))))
    return list(found)
