"""Clusters: created by the platform admin (for any coordinator organisation) or by a cluster
coordinator (for its own), changed by them only, read by them and by the staff of the current
members. The coordinator organisation is always a member with the role coordinator."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.clients.gateway import GatewayClient
from services.matching.db import cluster_members, clusters
from services.matching.db.cluster_tables import Cluster, ClusterMember
from services.matching.domain.cluster_access import (
    MemberRole,
    coordinating_organization,
    is_current,
    is_final,
    manages,
    may_create,
)
from services.matching.errors import (
    ClusterClosed,
    ClusterNameTaken,
    NotACoordinator,
    RequiredFieldsCleared,
    field_problem,
)
from services.matching.schemas.clusters import ClusterCreate, ClusterUpdate
from services.matching.service.territories import require_known
from shared import clock
from shared.auth import Principal

REQUIRED = ("name", "territory_codes", "sector_focus", "status", "coordinator_organization_id")


async def page(
    session: AsyncSession, principal: Principal, **filters: Any
) -> tuple[list[Cluster], str | None]:
    return await clusters.page(session, principal, clock.today(), **filters)


async def get_readable(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID
) -> Cluster:
    return await clusters.get_readable(session, principal, cluster_id, clock.today())


async def get_managed(
    session: AsyncSession,
    principal: Principal,
    cluster_id: uuid.UUID,
    check_version: Callable[[int], None] | None = None,
) -> Cluster:
    """The cluster, locked for a change by the caller: 404 when they cannot read it, 403 when they
    read it but do not manage it, 412/428 by ``check_version``, 409 once it is closed."""
    cluster = await get_readable(session, principal, cluster_id)
    if not manages(principal, cluster.coordinator_organization_id):
        raise NotACoordinator()
    cluster = await clusters.lock(session, cluster)
    if check_version is not None:
        check_version(cluster.version)
    if is_final(cluster.status):
        raise ClusterClosed()
    return cluster


async def _check_territories(session: AsyncSession, codes: list[str]) -> None:
    await require_known(
        session, {f"body.territory_codes[{i}]": code for i, code in enumerate(codes)}
    )


async def _check_name(session: AsyncSession, name: str, other_than: uuid.UUID | None) -> None:
    if await clusters.name_taken(session, name, other_than):
        raise ClusterNameTaken()


async def check_organization(
    gateway: GatewayClient, organization_id: uuid.UUID, field: str
) -> None:
    """422 when the gateway knows no such organisation (503 when it does not answer)."""
    if not await gateway.organization_exists(organization_id):
        raise field_problem(field, "no organisation has this id", "unknown")


async def create(
    session: AsyncSession, principal: Principal, body: ClusterCreate, gateway: GatewayClient
) -> Cluster:
    coordinator = body.coordinator_organization_id or coordinating_organization(principal)
    if coordinator is None and principal.is_platform_admin:
        raise field_problem("body.coordinator_organization_id", "is required", "required")
    if coordinator is None or not may_create(principal, coordinator):
        raise NotACoordinator(
            "Clusters are created by the platform admin, or by a cluster coordinator for its own "
            "organisation."
        )
    await _check_territories(session, body.territory_codes)
    await check_organization(gateway, coordinator, "body.coordinator_organization_id")
    await _check_name(session, body.name, None)
    now = clock.now()
    cluster = Cluster(
        id=uuid.uuid4(),
        name=body.name,
        description=body.description,
        territory_codes=list(dict.fromkeys(body.territory_codes)),
        target_group=body.target_group,
        sector_focus=list(dict.fromkeys(body.sector_focus)),
        status=body.status.value,
        coordinator_organization_id=coordinator,
        version=1,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    await clusters.add(session, cluster)
    await make_coordinator(session, cluster, coordinator, None)
    return cluster


async def update(
    session: AsyncSession, cluster: Cluster, body: ClusterUpdate, gateway: GatewayClient
) -> None:
    """``cluster`` comes from ``get_managed`` (locked, checked, not closed)."""
    patch = body.model_dump(exclude_unset=True)
    cleared = sorted(field for field in REQUIRED if field in patch and patch[field] is None)
    if cleared:
        raise RequiredFieldsCleared(cleared)
    if "territory_codes" in patch:
        await _check_territories(session, patch["territory_codes"])
        patch["territory_codes"] = list(dict.fromkeys(patch["territory_codes"]))
    if "sector_focus" in patch:
        patch["sector_focus"] = list(dict.fromkeys(patch["sector_focus"]))
    if "name" in patch:
        await _check_name(session, patch["name"], cluster.id)
    new_coordinator = patch.get("coordinator_organization_id")
    if new_coordinator is not None and new_coordinator != cluster.coordinator_organization_id:
        await check_organization(gateway, new_coordinator, "body.coordinator_organization_id")
        await make_coordinator(
            session, cluster, new_coordinator, cluster.coordinator_organization_id
        )
    if "status" in patch:
        patch["status"] = patch["status"].value
    for name, value in patch.items():
        setattr(cluster, name, value)
    cluster.version += 1
    cluster.updated_at = clock.now()
    await clusters.flush(session)


async def make_coordinator(
    session: AsyncSession, cluster: Cluster, new: uuid.UUID, old: uuid.UUID | None
) -> None:
    """``new`` becomes a current member with the role coordinator (joining today, or rejoining);
    ``old`` loses that role, and its membership ends today if it held no other."""
    today = clock.today()
    member = await cluster_members.get(session, cluster.id, new, lock=True)
    if member is None:
        member = ClusterMember(
            cluster_id=cluster.id,
            organization_id=new,
            roles=[MemberRole.COORDINATOR.value],
            joined_on=today,
            left_on=None,
            version=1,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        await cluster_members.add(session, member)
    else:
        if MemberRole.COORDINATOR not in member.roles:
            member.roles = [MemberRole.COORDINATOR.value, *member.roles]
        if not is_current(member.joined_on, member.left_on, today):
            member.joined_on, member.left_on = min(member.joined_on, today), None
        member.version += 1
        member.updated_at = clock.now()
    if old is not None:
        former = await cluster_members.get(session, cluster.id, old, lock=True)
        if former is not None:
            former.roles = [role for role in former.roles if role != MemberRole.COORDINATOR]
            if not former.roles and former.left_on is None:
                former.left_on = today
            former.version += 1
            former.updated_at = clock.now()
    await cluster_members.flush(session)


def as_read(cluster: Cluster) -> dict[str, Any]:
    return {
        "id": str(cluster.id),
        "name": cluster.name,
        "description": cluster.description,
        "territory_codes": list(cluster.territory_codes),
        "target_group": cluster.target_group,
        "sector_focus": list(cluster.sector_focus),
        "status": cluster.status,
        "coordinator_organization_id": str(cluster.coordinator_organization_id),
        "version": cluster.version,
        "created_at": cluster.created_at.isoformat(),
        "updated_at": cluster.updated_at.isoformat(),
    }
