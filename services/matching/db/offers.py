"""The offers repository: every statement on ``offer``. Readable offers: open and closed ones
for whoever reads the catalogue, drafts for their own organisation only."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import pages
from services.matching.db.catalogue_sync import published
from services.matching.db.cluster_scope import member_cluster_ids
from services.matching.db.cluster_tables import Cluster
from services.matching.db.models import CatalogueDeletion, Offer, Referral
from services.matching.domain.access import reads_catalogue
from services.matching.domain.catalogue import Viewer
from services.matching.errors import OfferNotFound
from shared import clock
from shared.auth import Principal

# The offer columns ranking reads (no descriptions: the index holds 50,000 offers).
OFFER_COLUMNS = (
    Offer.id,
    Offer.organization_id,
    Offer.type,
    Offer.title,
    Offer.status,
    Offer.municipality,
    Offer.territory_code,
    Offer.cluster_ids,
    Offer.latitude,
    Offer.longitude,
    Offer.starts_on,
    Offer.ends_on,
    Offer.seats,
    Offer.seats_taken,
    Offer.required_skills,
    Offer.preferred_skills,
    Offer.taught_skills,
    Offer.occupation_uri,
    Offer.sector,
    Offer.min_language_code,
    Offer.min_language_level,
    Offer.min_education_level,
    Offer.age_min,
    Offer.age_max,
    Offer.permit_must_allow_work,
    Offer.languages_of_instruction,
)


async def viewer(session: AsyncSession, principal: Principal) -> Viewer:
    """The caller as a reader of the catalogue: its organisation's clusters today; the platform
    admin reads it all."""
    if principal.is_platform_admin:
        return Viewer(principal.organization_id, frozenset(), unrestricted=True)
    if principal.organization_id is None:
        return Viewer(None, frozenset())
    clusters = await member_cluster_ids(session, principal.organization_id, clock.today())
    return Viewer(principal.organization_id, frozenset(clusters))


async def existing_clusters(session: AsyncSession, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``ids`` that name a cluster."""
    if not ids:
        return set()
    return set(await session.scalars(select(Cluster.id).where(Cluster.id.in_(list(ids)))))


def published_to(seen_by: Viewer) -> ColumnElement[bool]:
    """``Viewer.sees`` (``domain.clusters.published_to``) as a condition on ``offer``."""
    return published(
        Offer.cluster_ids,
        Offer.organization_id,
        seen_by.organization_id,
        seen_by.cluster_ids,
        seen_by.unrestricted,
    )


def readable_condition(principal: Principal, seen_by: Viewer) -> ColumnElement[bool]:
    """Open and closed offers published to the caller (``published_to``), and its own drafts."""
    if not reads_catalogue(principal):
        return false()
    return and_(
        or_(Offer.status != "draft", Offer.organization_id == principal.organization_id),
        published_to(seen_by),
    )


def was_readable(principal: Principal, seen_by: Viewer) -> ColumnElement[bool]:
    """``readable_condition`` over a deleted offer as it was (``CatalogueDeletion``)."""
    log = CatalogueDeletion
    if not reads_catalogue(principal):
        return false()
    return and_(
        or_(log.status != "draft", log.organization_id == principal.organization_id),
        published(
            log.cluster_ids,
            log.organization_id,
            seen_by.organization_id,
            seen_by.cluster_ids,
            seen_by.unrestricted,
        ),
    )


def readable(principal: Principal, seen_by: Viewer) -> Select[Offer]:
    """Open and closed offers published to the caller (``published_to``), and its own drafts."""
    return select(Offer).where(readable_condition(principal, seen_by))


async def get_readable(session: AsyncSession, principal: Principal, offer_id: uuid.UUID) -> Offer:
    statement = readable(principal, await viewer(session, principal))
    offer: Offer | None = await session.scalar(statement.where(Offer.id == offer_id))
    if offer is None:
        raise OfferNotFound()
    return offer


async def lock(session: AsyncSession, offer: Offer) -> Offer:
    """The offer again, locked for this transaction's change."""
    locked = await session.get(Offer, offer.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    return locked


async def get_referable(
    session: AsyncSession, principal: Principal, offer_id: uuid.UUID, seen_by: Viewer
) -> Offer:
    """An offer a referral may name: any published to the referrer but another organisation's
    draft."""
    offer = await session.get(Offer, offer_id)
    if (
        offer is None
        or (offer.status == "draft" and offer.organization_id != principal.organization_id)
        or not seen_by.sees(offer.cluster_ids, offer.organization_id)
    ):
        raise OfferNotFound()
    return offer


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    offer_type: str | None,
    offer_status: str | None,
    organization_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Offer], str | None]:
    """One page of the readable offers by id, and the cursor of the next one."""
    statement = readable(principal, await viewer(session, principal))
    if offer_type is not None:
        statement = statement.where(Offer.type == offer_type)
    if offer_status is not None:
        statement = statement.where(Offer.status == offer_status)
    if organization_id is not None:
        statement = statement.where(Offer.organization_id == organization_id)
    return await pages.page(session, statement, (Offer.id,), cursor, limit)


async def add(session: AsyncSession, offer: Offer) -> None:
    session.add(offer)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def referred(session: AsyncSession, offer_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(exists().where(Referral.offer_id == offer_id))))


async def delete(session: AsyncSession, offer: Offer) -> None:
    await session.delete(offer)
    await session.flush()


async def take_seat(session: AsyncSession, offer_id: uuid.UUID) -> bool:
    """One seat taken, in one conditional UPDATE (never oversold); False when none is left."""
    taken = await session.execute(
        update(Offer)
        .where(Offer.id == offer_id, Offer.seats_taken < Offer.seats)
        .values(seats_taken=Offer.seats_taken + 1)
        .returning(Offer.id)
    )
    return taken.first() is not None


async def free_seat(session: AsyncSession, offer_id: uuid.UUID) -> None:
    await session.execute(
        update(Offer).where(Offer.id == offer_id).values(seats_taken=Offer.seats_taken - 1)
    )


async def live_columns(session: AsyncSession, ids: Collection[str]) -> dict[str, Any]:
    """The ranking's columns of these offers as they are now, by id."""
    if not ids:
        return {}
    rows = await session.execute(
        select(*OFFER_COLUMNS).where(Offer.id.in_([uuid.UUID(i) for i in ids]))
    )
    return {str(row.id): row for row in rows}


async def open_columns(session: AsyncSession) -> list[Any]:
    """The ranking's columns of every open offer (the index's rows)."""
    return list(
        (
            await session.execute(
                select(*OFFER_COLUMNS).where(Offer.status == "open").order_by(Offer.id)
            )
        ).all()
    )


async def taught(session: AsyncSession, offer_id: uuid.UUID) -> tuple[str, list[str]] | None:
    """The offer's type and the skills it teaches (None: no such offer)."""
    row = (
        await session.execute(select(Offer.type, Offer.taught_skills).where(Offer.id == offer_id))
    ).one_or_none()
    return None if row is None else (row.type, list(row.taught_skills))
