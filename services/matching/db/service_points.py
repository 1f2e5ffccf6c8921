"""The service points repository: every statement on ``service_point``. Readable points: those
published to no cluster, to a cluster the reader's organisation is in, and its own
(``domain.clusters.published_to``, here as SQL for the lists)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import pages
from services.matching.db.catalogue_sync import published
from services.matching.db.cluster_tables import ServicePoint
from services.matching.db.models import CatalogueDeletion
from services.matching.domain.service_points import Audience


def _published(audience: Audience, entry: Any = ServicePoint) -> ColumnElement[bool]:
    """``Audience.sees`` as a condition on the rows (of ``entry``: the table, or the deletions'
    log)."""
    return published(
        entry.cluster_ids,
        entry.organization_id,
        audience.organization_id,
        audience.cluster_ids,
        audience.everything,
    )


def visible(audience: Audience) -> ColumnElement[bool]:
    """The points (closed ones too) ``audience`` reads."""
    return _published(audience)


def was_visible(audience: Audience) -> ColumnElement[bool]:
    """A deleted point ``audience`` read when it was deleted (``CatalogueDeletion``)."""
    return _published(audience, CatalogueDeletion)


async def get(
    session: AsyncSession, point_id: uuid.UUID, *, lock: bool = False
) -> ServicePoint | None:
    statement = select(ServicePoint).where(ServicePoint.id == point_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    point: ServicePoint | None = await session.scalar(statement)
    return point


async def page(
    session: AsyncSession,
    audience: Audience,
    *,
    territory_codes: list[str] | None,
    kind: str | None,
    need: str | None,
    tier: str | None,
    language: str | None,
    organization_id: uuid.UUID | None,
    status: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[ServicePoint], str | None]:
    """One page of the readable points by id, and the cursor of the next one."""
    statement: Select[ServicePoint] = select(ServicePoint).where(
        _published(audience), ServicePoint.status == status
    )
    if territory_codes is not None:
        statement = statement.where(ServicePoint.territory_code.in_(territory_codes))
    if kind is not None:
        statement = statement.where(ServicePoint.kind == kind)
    if need is not None:
        statement = statement.where(ServicePoint.need_domains.contains([need]))
    if tier is not None:
        statement = statement.where(ServicePoint.tier == tier)
    if language is not None:
        statement = statement.where(ServicePoint.languages.contains([language]))
    if organization_id is not None:
        statement = statement.where(ServicePoint.organization_id == organization_id)
    return await pages.page(session, statement, (ServicePoint.id,), cursor, limit)


async def add(session: AsyncSession, point: ServicePoint) -> None:
    session.add(point)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    await session.flush()
