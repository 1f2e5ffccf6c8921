"""The members repository: every statement on ``cluster_member`` (a cluster's rows, read once the
cluster itself was found readable)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import pages
from services.matching.db.cluster_tables import ClusterMember


async def get(
    session: AsyncSession, cluster_id: uuid.UUID, organization_id: uuid.UUID, *, lock: bool = False
) -> ClusterMember | None:
    statement = select(ClusterMember).where(
        ClusterMember.cluster_id == cluster_id, ClusterMember.organization_id == organization_id
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    member: ClusterMember | None = await session.scalar(statement)
    return member


async def page(
    session: AsyncSession, cluster_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[ClusterMember], str | None]:
    statement = select(ClusterMember).where(ClusterMember.cluster_id == cluster_id)
    return await pages.page(session, statement, (ClusterMember.organization_id,), cursor, limit)


async def of_cluster(session: AsyncSession, cluster_id: uuid.UUID) -> list[ClusterMember]:
    """Every membership of the cluster, former ones too (the dashboard's rows)."""
    found = await session.scalars(
        select(ClusterMember)
        .where(ClusterMember.cluster_id == cluster_id)
        .order_by(ClusterMember.organization_id)
    )
    return list(found)


async def add(session: AsyncSession, member: ClusterMember) -> None:
    session.add(member)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    await session.flush()
