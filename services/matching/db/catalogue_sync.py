"""The statements of a sync of the cluster's catalogue (``shared.sync``): the offers or service
points the caller reads written in the run, and those deleted in it that it could read when they
were deleted (``catalogue_deletion``, which a trigger writes on every deletion and keeps
``DELETION_DAYS``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.models import CatalogueDeletion
from shared.sync import ORIGIN, Change, Removed, RemovedReason, Run, in_commit_order

# How long a deletion is kept for the syncs to tell (the migration's trigger prunes older ones):
# a watermark older than that is a 410, sync again from 0.
DELETION_DAYS = 90
OFFER, SERVICE_POINT = "offer", "service_point"


def published(
    cluster_ids: Any,
    owner: Any,
    organization_id: uuid.UUID | None,
    member_of: Collection[uuid.UUID],
    everything: bool = False,
) -> ColumnElement[bool]:
    """``domain.clusters.published_to`` as SQL over an entry's ``cluster_ids`` and ``owner``:
    published to no cluster, to one the reader is in, or the reader's own."""
    if everything:
        return true()
    conditions: list[ColumnElement[bool]] = [func.cardinality(cluster_ids) == 0]
    if organization_id is not None:
        conditions.append(owner == organization_id)
    if member_of:
        conditions.append(cluster_ids.overlap(sorted(member_of)))
    return or_(*conditions)


async def changes(
    session: AsyncSession,
    run: Run,
    limit: int,
    entity: Any,
    kind: str,
    visible: ColumnElement[bool],
    was_visible: ColumnElement[bool],
) -> list[Change]:
    """At most ``limit + 1`` changes of ``entity`` (its table's rows, ``visible`` to the caller;
    its deletions, ``was_visible`` over ``CatalogueDeletion``) after the run's position."""
    written = select(
        entity.sync_xact.label("key"), entity.id.label("id"), literal(False).label("deleted")
    ).where(run.changed(entity.sync_xact), visible)
    branches = [written]
    if run.since != ORIGIN:  # a first load has nothing to drop
        log = CatalogueDeletion
        branches.append(
            select(
                log.sync_xact.label("key"), log.id.label("id"), literal(True).label("deleted")
            ).where(log.kind == kind, run.changed(log.sync_xact), was_visible)
        )
    rows = await session.execute(in_commit_order(run, branches, limit))
    return [
        Change(
            key=row.key,
            id=row.id,
            removed=Removed(type=kind, id=row.id, reason=RemovedReason.DELETED)
            if row.deleted
            else None,
        )
        for row in rows
    ]


async def rows_of(
    session: AsyncSession, entity: Any, visible: ColumnElement[bool], ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    """The rows ``ids`` of ``entity`` still ``visible``, by id."""
    if not ids:
        return {}
    found = await session.scalars(select(entity).where(entity.id.in_(ids), visible))
    return {row.id: row for row in found}
