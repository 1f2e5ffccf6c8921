"""The catalogue's events (``offer.*``, ``service_point.*``), written to the outbox in the
transaction of the change they announce, each with the organisations it goes to.

Why the event carries its readers rather than letting the gateway work them out: matching owns
the rule (drafts, clusters, who is a member on the day, ``domain.clusters.published_to``), and
the gateway holds no copy of the clusters or their members; a copy would be one more thing to
keep in step, and a lag in it would tell an organisation of an offer it may not read. The
readers are decided here, at the moment of the change, with the same statements as the reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.cluster_scope import members_of_clusters
from services.matching.db.cluster_tables import ServicePoint
from services.matching.db.models import Offer, outbox
from services.matching.domain.announcements import (
    NOBODY,
    Announcement,
    Readers,
    announcements,
    readers,
    withdrawal_reason,
)
from services.matching.domain.offers import OfferStatus
from services.matching.domain.service_points import ServicePointStatus
from shared import clock
from shared.contracts import matching as contract
from shared.events import emit

OFFER_EVENTS = {
    Announcement.PUBLISHED: contract.OFFER_PUBLISHED,
    Announcement.UPDATED: contract.OFFER_UPDATED,
    Announcement.WITHDRAWN: contract.OFFER_WITHDRAWN,
}
SERVICE_POINT_EVENTS = {
    Announcement.PUBLISHED: contract.SERVICE_POINT_PUBLISHED,
    Announcement.UPDATED: contract.SERVICE_POINT_UPDATED,
    Announcement.WITHDRAWN: contract.SERVICE_POINT_CLOSED,
}


@dataclass(frozen=True)
class Snapshot:
    """An entry as its readers see it at one moment: its event's data, and who reads it."""

    payload: Mapping[str, Any]
    readers: Readers
    readable_by_others: bool
    status: str


async def _readers(
    session: AsyncSession, live: bool, owner: uuid.UUID, cluster_ids: Collection[uuid.UUID]
) -> Readers:
    members = await members_of_clusters(session, cluster_ids, clock.today()) if live else set()
    return readers(live, owner, cluster_ids, members)


async def offer_snapshot(session: AsyncSession, offer: Offer) -> Snapshot:
    """The offer as it stands (open offers are read by others; a draft by its provider alone, a
    closed one is withdrawn from the catalogue)."""
    live = offer.status == OfferStatus.OPEN
    payload = {
        "offer_id": offer.id,
        "organization_id": offer.organization_id,
        "type": offer.type,
        "status": offer.status,
        "cluster_ids": list(offer.cluster_ids),
        "seats": offer.seats,
        "starts_on": offer.starts_on,
        "ends_on": offer.ends_on,
        "version": offer.version,
    }
    found = await _readers(session, live, offer.organization_id, offer.cluster_ids)
    return Snapshot(payload, found, live, offer.status)


async def service_point_snapshot(session: AsyncSession, point: ServicePoint) -> Snapshot:
    """The point as it stands (active points are read by others; a closed one is closed)."""
    live = point.status == ServicePointStatus.ACTIVE
    payload = {
        "service_point_id": point.id,
        "organization_id": point.organization_id,
        "kind": point.kind,
        "tier": point.tier,
        "need_domains": list(point.need_domains),
        "territory_code": point.territory_code,
        "access_mode": point.access_mode,
        "status": point.status,
        "cluster_ids": list(point.cluster_ids),
        "version": point.version,
    }
    found = await _readers(session, live, point.organization_id, point.cluster_ids)
    return Snapshot(payload, found, live, point.status)


async def announce_offer(
    session: AsyncSession, before: Snapshot | None, after: Snapshot | None
) -> None:
    """An offer created (``before`` None), changed, or deleted (``after`` None)."""
    await _announce(session, OFFER_EVENTS, contract.OfferChanged, before, after)


async def announce_service_point(
    session: AsyncSession, before: Snapshot | None, after: Snapshot
) -> None:
    """A service point created (``before`` None), changed or closed (never deleted)."""
    await _announce(session, SERVICE_POINT_EVENTS, contract.ServicePointChanged, before, after)


async def _announce(
    session: AsyncSession,
    types: Mapping[Announcement, str],
    payload_type: type[contract.OfferChanged] | type[contract.ServicePointChanged],
    before: Snapshot | None,
    after: Snapshot | None,
) -> None:
    was = before.readers if before is not None else NOBODY
    now = after.readers if after is not None else NOBODY
    current = after or before
    assert current is not None
    for announcement, audience in announcements(was, now):
        reason = None
        if announcement == Announcement.WITHDRAWN:
            reason = withdrawal_reason(
                after is None, current.status, after is not None and after.readable_by_others
            )
        payload = payload_type.model_validate(
            {**current.payload, "reason": reason, "readers": _contract(audience)}
        )
        await emit(session, outbox, types[announcement], payload, source="matching")


def _contract(audience: Readers) -> contract.Readers:
    ids = sorted(audience.ids)
    if audience.everyone:
        return contract.Readers(everyone=True, excluded_organization_ids=ids)
    return contract.Readers(organization_ids=ids)
