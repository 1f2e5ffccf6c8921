"""Which clusters an organisation is in: the statements every cluster-aware rule starts from
(the catalogue an operator sees, what a coordinator may read)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.cluster_tables import Cluster, ClusterMember


def _member_on(on: date) -> ColumnElement[bool]:
    """A membership that holds on ``on`` (joined, not yet left)."""
    return and_(
        ClusterMember.joined_on <= on,
        or_(ClusterMember.left_on.is_(None), ClusterMember.left_on > on),
    )


async def member_cluster_ids(
    session: AsyncSession, organization_id: uuid.UUID, on: date
) -> list[uuid.UUID]:
    """The clusters ``organization_id`` is a member of on ``on`` (joined, not yet left)."""
    found = await session.scalars(
        select(ClusterMember.cluster_id).where(
            ClusterMember.organization_id == organization_id,
            _member_on(on),
        )
    )
    return list(found)


async def coordinated_cluster_ids(
    session: AsyncSession, organization_id: uuid.UUID
) -> list[uuid.UUID]:
    """The clusters whose coordinator organisation is ``organization_id``."""
    found = await session.scalars(
        select(Cluster.id).where(Cluster.coordinator_organization_id == organization_id)
    )
    return list(found)


async def member_organization_ids(
    session: AsyncSession, cluster_id: uuid.UUID, on: date
) -> list[uuid.UUID]:
    """The organisations that are members of ``cluster_id`` on ``on``."""
    found = await session.scalars(
        select(ClusterMember.organization_id).where(
            ClusterMember.cluster_id == cluster_id,
            _member_on(on),
        )
    )
    return list(found)


async def members_of_clusters(
    session: AsyncSession, cluster_ids: Collection[uuid.UUID], on: date
) -> set[uuid.UUID]:
    """The organisations that are members of any of ``cluster_ids`` on ``on``."""
    if not cluster_ids:
        return set()
    found = await session.scalars(
        select(ClusterMember.organization_id).where(
            ClusterMember.cluster_id.in_(list(cluster_ids)),
            _member_on(on),
        )
    )
    return set(found)
