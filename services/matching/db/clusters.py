"""The clusters repository: every statement on ``cluster``, scoped to what the caller may see
(``domain/cluster_access``): a cluster the caller may not read is not there (404)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, Select, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import pages
from services.matching.db.cluster_tables import Cluster, ClusterMember
from services.matching.domain.cluster_access import (
    coordinating_organization,
    member_organization,
)
from services.matching.errors import ClusterNotFound
from shared.auth import Principal


def current_member(organization_id: uuid.UUID, on: date) -> ColumnElement[bool]:
    """``organization_id`` is a member of the cluster of the row on ``on``."""
    return exists().where(
        ClusterMember.cluster_id == Cluster.id,
        ClusterMember.organization_id == organization_id,
        ClusterMember.joined_on <= on,
        or_(ClusterMember.left_on.is_(None), ClusterMember.left_on > on),
    )


def readable(principal: Principal, on: date) -> Select[Cluster]:
    if principal.is_platform_admin:
        return select(Cluster)
    conditions: list[ColumnElement[bool]] = []
    coordinator = coordinating_organization(principal)
    if coordinator is not None:
        conditions.append(Cluster.coordinator_organization_id == coordinator)
    member = member_organization(principal)
    if member is not None:
        conditions.append(current_member(member, on))
    return select(Cluster).where(or_(*conditions) if conditions else false())


def coordinated(principal: Principal) -> Select[Cluster]:
    """The clusters whose aggregates the caller reads: all for the platform admin, its
    organisation's for a coordinator, none for anyone else."""
    if principal.is_platform_admin:
        return select(Cluster)
    coordinator = coordinating_organization(principal)
    if coordinator is None:
        return select(Cluster).where(false())
    return select(Cluster).where(Cluster.coordinator_organization_id == coordinator)


async def _one(session: AsyncSession, statement: Select[Cluster]) -> Cluster:
    cluster: Cluster | None = await session.scalar(statement)
    if cluster is None:
        raise ClusterNotFound()
    return cluster


async def get_readable(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, on: date
) -> Cluster:
    return await _one(session, readable(principal, on).where(Cluster.id == cluster_id))


async def get_coordinated(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID
) -> Cluster:
    return await _one(session, coordinated(principal).where(Cluster.id == cluster_id))


async def lock(session: AsyncSession, cluster: Cluster) -> Cluster:
    """The cluster again, locked for this transaction's change (of it, its members or its
    commitments: one writer at a time per cluster)."""
    locked = await session.get(Cluster, cluster.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    return locked


async def page(
    session: AsyncSession,
    principal: Principal,
    on: date,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Cluster], str | None]:
    statement = readable(principal, on)
    if status is not None:
        statement = statement.where(Cluster.status == status)
    return await pages.page(session, statement, (Cluster.id,), cursor, limit)


async def name_taken(session: AsyncSession, name: str, other_than: uuid.UUID | None = None) -> bool:
    statement = select(Cluster.id).where(Cluster.name == name)
    if other_than is not None:
        statement = statement.where(Cluster.id != other_than)
    return await session.scalar(statement.limit(1)) is not None


async def add(session: AsyncSession, cluster: Cluster) -> None:
    session.add(cluster)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    await session.flush()
