"""Commitments: what a member pledges for a period, read with what it delivered (measured on
every read, never stored). The cluster's managers pledge for any current member; a member's org
admin for its own organisation; whoever reads the cluster reads them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import cluster_members, clusters, commitments
from services.matching.db.cluster_tables import Cluster, Commitment
from services.matching.domain.cluster_access import is_current, is_final, pledges_for
from services.matching.domain.commitments import MEASURES, CommitmentKind, ratio
from services.matching.errors import (
    ClusterClosed,
    CommitmentNotFound,
    NotACoordinator,
    RequiredFieldsCleared,
    field_problem,
)
from services.matching.schemas.commitments import CommitmentCreate, CommitmentUpdate
from services.matching.service.clusters import get_readable
from shared import clock
from shared.auth import Principal

REQUIRED = ("kind", "quantity", "period_start", "period_end")


async def _pledgeable(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, organization_id: uuid.UUID
) -> Cluster:
    """The cluster, locked, if the caller may pledge for ``organization_id`` in it (404 unread,
    403 read only, 409 closed)."""
    cluster = await get_readable(session, principal, cluster_id)
    if not pledges_for(principal, cluster.coordinator_organization_id, organization_id):
        raise NotACoordinator(
            "Commitments are made by the cluster's coordinator, or by a member's org admin for "
            "its own organisation."
        )
    cluster = await clusters.lock(session, cluster)
    if is_final(cluster.status):
        raise ClusterClosed()
    return cluster


async def create(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, body: CommitmentCreate
) -> Commitment:
    cluster = await _pledgeable(session, principal, cluster_id, body.organization_id)
    member = await cluster_members.get(session, cluster.id, body.organization_id)
    if member is None or not is_current(member.joined_on, member.left_on, clock.today()):
        raise field_problem(
            "body.organization_id", "is not a current member of the cluster", "not_a_member"
        )
    now = clock.now()
    commitment = Commitment(
        id=uuid.uuid4(),
        cluster_id=cluster.id,
        organization_id=body.organization_id,
        kind=body.kind.value,
        offer_type=body.offer_type.value if body.offer_type else None,
        quantity=body.quantity,
        description=body.description,
        period_start=body.period_start,
        period_end=body.period_end,
        version=1,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    await commitments.add(session, commitment)
    return commitment


async def get(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, commitment_id: uuid.UUID
) -> Commitment:
    await get_readable(session, principal, cluster_id)
    commitment = await commitments.get(session, cluster_id, commitment_id)
    if commitment is None:
        raise CommitmentNotFound()
    return commitment


async def page(
    session: AsyncSession,
    principal: Principal,
    cluster_id: uuid.UUID,
    **filters: Any,
) -> tuple[list[Commitment], str | None]:
    await get_readable(session, principal, cluster_id)
    return await commitments.page(session, cluster_id, **filters)


async def update(
    session: AsyncSession,
    principal: Principal,
    cluster_id: uuid.UUID,
    commitment_id: uuid.UUID,
    body: CommitmentUpdate,
    check_version: Callable[[int], None],
) -> Commitment:
    found = await get(session, principal, cluster_id, commitment_id)
    await _pledgeable(session, principal, cluster_id, found.organization_id)
    commitment = await commitments.get(session, cluster_id, commitment_id, lock=True)
    if commitment is None:
        raise CommitmentNotFound()
    check_version(commitment.version)
    patch = body.model_dump(exclude_unset=True)
    cleared = sorted(field for field in REQUIRED if field in patch and patch[field] is None)
    if cleared:
        raise RequiredFieldsCleared(cleared)
    for field in ("kind", "offer_type"):
        if patch.get(field) is not None:
            patch[field] = patch[field].value
    start = patch.get("period_start", commitment.period_start)
    if patch.get("period_end", commitment.period_end) < start:
        raise field_problem("body.period_end", "is before period_start")
    kind = patch.get("kind", commitment.kind)
    if kind == CommitmentKind.OTHER and patch.get("offer_type", commitment.offer_type):
        raise field_problem("body.offer_type", "a commitment of kind other names no offer_type")
    for name, value in patch.items():
        setattr(commitment, name, value)
    commitment.version += 1
    commitment.updated_at = clock.now()
    await commitments.flush(session)
    return commitment


async def delivered(session: AsyncSession, shown: list[Commitment]) -> dict[uuid.UUID, int | None]:
    return await commitments.delivered(session, ids=[c.id for c in shown]) if shown else {}


def as_read(commitment: Commitment, delivered: int | None) -> dict[str, Any]:
    return {
        "id": str(commitment.id),
        "cluster_id": str(commitment.cluster_id),
        "organization_id": str(commitment.organization_id),
        "kind": commitment.kind,
        "measure": MEASURES[CommitmentKind(commitment.kind)],
        "offer_type": commitment.offer_type,
        "description": commitment.description,
        "period_start": commitment.period_start.isoformat(),
        "period_end": commitment.period_end.isoformat(),
        "pledged": commitment.quantity,
        "delivered": delivered,
        "ratio": ratio(commitment.quantity, delivered),
        "version": commitment.version,
        "created_at": commitment.created_at.isoformat(),
        "updated_at": commitment.updated_at.isoformat(),
    }
