"""Service points (Open Referral HSDS: a service at a location): where a person can be sent for a
need. Providers (and their org admins) manage their own organisation's points, published to the
clusters it is a member of (or to no cluster: the whole installation); every organisation-side
role, the cluster coordinator and the platform admin read the points published to them
(``domain.clusters.published_to``). Closing a point (DELETE) keeps it for the referrals that
name it; closed points are listed only when asked for."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import cluster_scope, service_points
from services.matching.db import territories as territory_db
from services.matching.db.cluster_tables import ServicePoint
from services.matching.domain.access import manages_offer, manages_offers, reads_catalogue
from services.matching.domain.service_points import Audience, ServicePointStatus
from services.matching.errors import (
    InconsistentOffer,
    NotAServicePointPublisher,
    NotYourClusters,
    NotYourServicePoint,
    RequiredFieldsCleared,
    ServicePointNotFound,
)
from services.matching.schemas.service_points import (
    ServicePointCreate,
    ServicePointUpdate,
)
from services.matching.service.catalogue_events import (
    announce_service_point,
    service_point_snapshot,
)
from services.matching.service.territories import require_known
from shared import clock
from shared.auth import Principal, Role

REQUIRED = (
    "name",
    "kind",
    "need_domains",
    "tier",
    "territory_code",
    "access_mode",
    "status",
    "cultural_mediators",
    "documents_required",
)
# Lists a null clears (stored as empty lists: the columns are not null).
EMPTIED = ("opening_hours", "transport_access", "languages")
NO_ONE = Audience(None, frozenset())


async def audience(session: AsyncSession, principal: Principal) -> Audience:
    """Whom the caller reads points as: its organisation and the clusters it is a member of
    today (and, for a coordinator, those its organisation coordinates); the platform admin sees
    them all; anyone else none (never a person's token: the gateway refuses it anyway)."""
    if principal.is_platform_admin:
        return Audience(None, frozenset(), everything=True)
    coordinator = principal.has(Role.CLUSTER_COORDINATOR)
    organization = principal.organization_id
    if organization is None or not (reads_catalogue(principal) or coordinator):
        return NO_ONE
    clusters = set(await cluster_scope.member_cluster_ids(session, organization, clock.today()))
    if coordinator:
        clusters |= set(await cluster_scope.coordinated_cluster_ids(session, organization))
    return Audience(organization, frozenset(clusters))


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    territory: str | None,
    **filters: Any,
) -> tuple[list[ServicePoint], str | None]:
    """One page of the points the caller reads; ``territory``: at or under that code."""
    seen = await audience(session, principal)
    if seen == NO_ONE:
        return [], None
    codes = None
    if territory is not None:
        await require_known(session, {"query.territory": territory})
        codes = await territory_db.subtree_codes(session, [territory])
    return await service_points.page(session, seen, territory_codes=codes, **filters)


async def get_visible(
    session: AsyncSession, principal: Principal, point_id: uuid.UUID, *, lock: bool = False
) -> ServicePoint:
    """The point if the caller reads it (closed ones too), else 404."""
    seen = await audience(session, principal)
    point = await service_points.get(session, point_id, lock=lock)
    if point is None or seen == NO_ONE or not seen.sees(point.cluster_ids, point.organization_id):
        raise ServicePointNotFound()
    return point


async def get_managed(
    session: AsyncSession, principal: Principal, point_id: uuid.UUID
) -> ServicePoint:
    """The point, locked for a change, if the caller manages it (404 when they cannot read it,
    403 when they read it but another organisation runs it)."""
    point = await get_visible(session, principal, point_id, lock=True)
    if not manages_offer(principal, point.organization_id):
        raise NotYourServicePoint()
    return point


async def _check_references(
    session: AsyncSession, organization_id: uuid.UUID, fields: dict[str, Any]
) -> None:
    """The territory must be known; each cluster one the organisation is a member of today."""
    if fields.get("territory_code") is not None:
        await require_known(session, {"body.territory_code": fields["territory_code"]})
    wanted = fields.get("cluster_ids") or []
    if wanted:
        member = set(
            await cluster_scope.member_cluster_ids(session, organization_id, clock.today())
        )
        outside = [i for i, cluster in enumerate(wanted) if cluster not in member]
        if outside:
            raise NotYourClusters(outside)


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in fields.items() if k not in ("contacts", "url")}
    for name in ("kind", "tier", "access_mode", "status"):
        if values.get(name) is not None:
            values[name] = str(values[name])
    if "need_domains" in values:
        values["need_domains"] = [str(need) for need in values["need_domains"]]
    if "contacts" in fields:
        contacts = fields["contacts"] or {}
        values["contact_phone"] = contacts.get("phone")
        values["contact_email"] = contacts.get("email")
    if "url" in fields:
        values["url"] = str(fields["url"]) if fields["url"] is not None else None
    return values


async def create(
    session: AsyncSession, principal: Principal, body: ServicePointCreate
) -> ServicePoint:
    if not manages_offers(principal) or principal.organization_id is None:
        raise NotAServicePointPublisher()
    fields = body.model_dump(mode="json")
    fields["cluster_ids"] = list(body.cluster_ids)
    await _check_references(session, principal.organization_id, fields)
    moment = clock.now()
    point = ServicePoint(
        id=uuid.uuid4(),
        organization_id=principal.organization_id,
        status=ServicePointStatus.ACTIVE.value,
        version=1,
        created_by=principal.subject,
        created_at=moment,
        updated_at=moment,
        **_columns(fields),
    )
    await service_points.add(session, point)
    await announce_service_point(session, None, await service_point_snapshot(session, point))
    return point


async def update(session: AsyncSession, point: ServicePoint, body: ServicePointUpdate) -> None:
    patch = body.model_dump(mode="json", exclude_unset=True)
    if "cluster_ids" in patch and body.cluster_ids is not None:
        patch["cluster_ids"] = list(body.cluster_ids)
    cleared = sorted(field for field in REQUIRED if field in patch and patch[field] is None)
    if cleared:
        raise RequiredFieldsCleared(cleared)
    for field in EMPTIED:
        if field in patch and patch[field] is None:
            patch[field] = []
    latitude = patch.get("latitude", point.latitude)
    longitude = patch.get("longitude", point.longitude)
    if (latitude is None) != (longitude is None):
        raise InconsistentOffer("latitude and longitude go together")
    await _check_references(session, point.organization_id, patch)
    await _write(session, point, _columns(patch))


async def close(session: AsyncSession, point: ServicePoint) -> None:
    """Closed: no longer listed (unless asked), no new referral; a closed point stays closed."""
    if point.status == ServicePointStatus.CLOSED:
        return
    await _write(session, point, {"status": ServicePointStatus.CLOSED.value})


async def _write(session: AsyncSession, point: ServicePoint, values: dict[str, Any]) -> None:
    """``values`` written as a new version, announced to the point's readers (before and
    after) in the same transaction."""
    before = await service_point_snapshot(session, point)
    for name, value in values.items():
        setattr(point, name, value)
    point.version += 1
    point.updated_at = clock.now()
    await service_points.flush(session)
    await announce_service_point(session, before, await service_point_snapshot(session, point))


async def get_referable(
    session: AsyncSession, principal: Principal, point_id: uuid.UUID
) -> ServicePoint:
    """A point a referral may name: active and published to the referrer."""
    point = await get_visible(session, principal, point_id)
    if point.status != ServicePointStatus.ACTIVE:
        raise ServicePointNotFound()
    return point


async def shared_cluster(
    session: AsyncSession, principal: Principal, point: ServicePoint
) -> uuid.UUID | None:
    """The cluster a referral to ``point`` is made in: the one cluster both the point is
    published to and the referrer is a member of today (none when there is no such cluster, or
    several)."""
    if not point.cluster_ids or principal.organization_id is None:
        return None
    member = await cluster_scope.member_cluster_ids(
        session, principal.organization_id, clock.today()
    )
    shared = set(point.cluster_ids) & set(member)
    return shared.pop() if len(shared) == 1 else None


def as_read(point: ServicePoint) -> dict[str, Any]:
    return {
        "id": str(point.id),
        "organization_id": str(point.organization_id),
        "name": point.name,
        "description": point.description,
        "kind": point.kind,
        "need_domains": list(point.need_domains),
        "tier": point.tier,
        "territory_code": point.territory_code,
        "address": point.address,
        "latitude": point.latitude,
        "longitude": point.longitude,
        "opening_hours": list(point.opening_hours),
        "languages": list(point.languages),
        "cultural_mediators": point.cultural_mediators,
        "documents_required": point.documents_required,
        "access_mode": point.access_mode,
        "access_conditions": point.access_conditions,
        "transport_access": list(point.transport_access),
        "contacts": {"phone": point.contact_phone, "email": point.contact_email},
        "url": point.url,
        "cluster_ids": [str(cluster) for cluster in point.cluster_ids],
        "status": point.status,
        "version": point.version,
        "created_at": point.created_at.isoformat(),
        "updated_at": point.updated_at.isoformat(),
    }
