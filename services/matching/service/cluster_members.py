"""A cluster's members: who reads the cluster reads them; its managers add them, change their
roles and dates, and end a membership (the row stays: history, and what a former member
delivered). The coordinator organisation stays a member while it coordinates."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.clients.gateway import GatewayClient
from services.matching.db import cluster_members
from services.matching.db.cluster_tables import ClusterMember
from services.matching.domain.cluster_access import is_current, roles_problem
from services.matching.errors import (
    AlreadyMember,
    CoordinatorMembership,
    MemberNotFound,
    RequiredFieldsCleared,
    field_problem,
)
from services.matching.schemas.cluster_members import MemberCreate, MemberUpdate
from services.matching.service import clusters
from shared import clock
from shared.auth import Principal


async def page(
    session: AsyncSession,
    principal: Principal,
    cluster_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[ClusterMember], str | None]:
    await clusters.get_readable(session, principal, cluster_id)
    return await cluster_members.page(session, cluster_id, limit=limit, cursor=cursor)


async def get(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, organization_id: uuid.UUID
) -> ClusterMember:
    await clusters.get_readable(session, principal, cluster_id)
    member = await cluster_members.get(session, cluster_id, organization_id)
    if member is None:
        raise MemberNotFound()
    return member


async def add(
    session: AsyncSession,
    principal: Principal,
    cluster_id: uuid.UUID,
    body: MemberCreate,
    gateway: GatewayClient,
) -> ClusterMember:
    cluster = await clusters.get_managed(session, principal, cluster_id)
    roles = [role.value for role in body.roles]
    why = roles_problem(roles, body.organization_id, cluster.coordinator_organization_id)
    if why is not None:
        raise field_problem("body.roles", why)
    existing = await cluster_members.get(session, cluster.id, body.organization_id)
    if existing is not None:
        raise AlreadyMember(existing.left_on is None)
    await clusters.check_organization(gateway, body.organization_id, "body.organization_id")
    now = clock.now()
    member = ClusterMember(
        cluster_id=cluster.id,
        organization_id=body.organization_id,
        roles=roles,
        joined_on=body.joined_on or now.date(),
        left_on=None,
        version=1,
        created_at=now,
        updated_at=now,
    )
    await cluster_members.add(session, member)
    return member


async def _managed_member(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, organization_id: uuid.UUID
) -> tuple[uuid.UUID, ClusterMember]:
    cluster = await clusters.get_managed(session, principal, cluster_id)
    member = await cluster_members.get(session, cluster.id, organization_id, lock=True)
    if member is None:
        raise MemberNotFound()
    return cluster.coordinator_organization_id, member


async def update(
    session: AsyncSession,
    principal: Principal,
    cluster_id: uuid.UUID,
    organization_id: uuid.UUID,
    body: MemberUpdate,
    check_version: Callable[[int], None],
) -> ClusterMember:
    coordinator, member = await _managed_member(session, principal, cluster_id, organization_id)
    check_version(member.version)
    patch = body.model_dump(exclude_unset=True)
    cleared = sorted(
        field for field in ("roles", "joined_on") if field in patch and not patch[field]
    )
    if cleared:
        raise RequiredFieldsCleared(cleared)
    if "roles" in patch:
        patch["roles"] = [role.value for role in patch["roles"]]
        why = roles_problem(patch["roles"], member.organization_id, coordinator)
        if why is not None:
            raise field_problem("body.roles", why)
    joined_on = patch.get("joined_on", member.joined_on)
    left_on = patch.get("left_on", member.left_on)
    if left_on is not None and left_on < joined_on:
        raise field_problem("body.left_on", "is before joined_on")
    if left_on is not None and member.organization_id == coordinator:
        raise CoordinatorMembership(
            "The coordinator organisation stays a member: name another coordinator first."
        )
    if left_on is None and not member.roles and "roles" not in patch:
        raise field_problem("body.roles", "a member rejoining needs its roles", "required")
    for name, value in patch.items():
        setattr(member, name, value)
    member.version += 1
    member.updated_at = clock.now()
    await cluster_members.flush(session)
    return member


async def end(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, organization_id: uuid.UUID
) -> None:
    """The membership ends today (one that already ended stays as it is)."""
    coordinator, member = await _managed_member(session, principal, cluster_id, organization_id)
    if member.organization_id == coordinator:
        raise CoordinatorMembership(
            "The coordinator organisation stays a member: name another coordinator first."
        )
    today = clock.today()
    if member.left_on is not None and member.left_on <= today:
        return
    member.left_on = max(today, member.joined_on)
    member.version += 1
    member.updated_at = clock.now()
    await cluster_members.flush(session)


def as_read(member: ClusterMember) -> dict[str, Any]:
    return {
        "cluster_id": str(member.cluster_id),
        "organization_id": str(member.organization_id),
        "roles": list(member.roles),
        "joined_on": member.joined_on.isoformat(),
        "left_on": member.left_on.isoformat() if member.left_on else None,
        "current": is_current(member.joined_on, member.left_on, clock.today()),
        "version": member.version,
        "created_at": member.created_at.isoformat(),
        "updated_at": member.updated_at.isoformat(),
    }
