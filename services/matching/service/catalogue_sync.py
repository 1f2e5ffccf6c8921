"""A sync of the cluster's catalogue (``GET /api/v1/offers?since=``, ``/service-points?since=``,
``shared.sync``): each offer or point written in the run as the caller reads it, and in
``removed`` those deleted (``reason: deleted``). A closed service point (its DELETE closes it) is
still read, by id and by the referrals that name it: it comes as an item, ``status: closed``.
Deletions are kept ``DELETION_DAYS``: an older watermark is a 410, sync again from 0."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, false
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import catalogue_sync as repository
from services.matching.db import offers as offer_repository
from services.matching.db import service_points as point_repository
from services.matching.db.cluster_tables import ServicePoint
from services.matching.db.models import Offer
from services.matching.service import offers, service_points
from shared import clock
from shared.auth import Principal
from shared.sync import begin, paged


async def _sync(
    session: AsyncSession,
    since: str,
    cursor: str | None,
    limit: int,
    entity: Any,
    kind: str,
    visible: ColumnElement[bool],
    was_visible: ColumnElement[bool],
) -> tuple[list[Any], dict[str, Any]]:
    """The page's rows, and the rest of its answer (``removed``, the cursor, the watermark)."""
    now = clock.now()
    horizon = now - timedelta(days=repository.DELETION_DAYS)
    run = await begin(session, since, cursor, now, horizon, scope=kind)
    found = await repository.changes(session, run, limit, entity, kind, visible, was_visible)
    shown, next_cursor = paged(run, found, limit)
    ids = [change.id for change in shown if change.removed is None]
    rows = await repository.rows_of(session, entity, visible, ids)
    return [rows[id_] for id_ in ids if id_ in rows], {  # one gone since: a later sync tells it
        "removed": [change.removed.model_dump(mode="json") for change in shown if change.removed],
        "next_cursor": next_cursor,
        "watermark": run.watermark,
    }


async def sync_offers(
    session: AsyncSession,
    principal: Principal,
    since: str,
    cursor: str | None,
    limit: int,
    language: str,
) -> dict[str, Any]:
    seen_by = await offer_repository.viewer(session, principal)
    shown, rest = await _sync(
        session,
        since,
        cursor,
        limit,
        Offer,
        repository.OFFER,
        offer_repository.readable_condition(principal, seen_by),
        offer_repository.was_readable(principal, seen_by),
    )
    labels = await offers.labels(session, shown, language)
    return {"items": [offers.as_read(offer, labels) for offer in shown], **rest}


async def sync_service_points(
    session: AsyncSession, principal: Principal, since: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    audience = await service_points.audience(session, principal)
    nobody = audience == service_points.NO_ONE

    def only(condition: Callable[[Any], ColumnElement[bool]]) -> ColumnElement[bool]:
        return false() if nobody else condition(audience)

    shown, rest = await _sync(
        session,
        since,
        cursor,
        limit,
        ServicePoint,
        repository.SERVICE_POINT,
        only(point_repository.visible),
        only(point_repository.was_visible),
    )
    return {"items": [service_points.as_read(point) for point in shown], **rest}
