"""Queries over people, scoped to what the caller may see: the 404 for "not yours" comes from
the same query as the 404 for "not there". Repositories flush; the request's session commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, false, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.models import AccessGrant, AccessLogEntry, Beneficiary, Change
from services.intake.domain import access
from services.intake.domain.access import Grant
from shared.auth import Principal


def active_grant(now: datetime) -> ColumnElement[bool]:
    return and_(
        AccessGrant.revoked_at.is_(None),
        or_(AccessGrant.expires_at.is_(None), AccessGrant.expires_at > now),
    )


def granted(organization_id: uuid.UUID, now: datetime) -> ColumnElement[bool]:
    return exists().where(
        AccessGrant.beneficiary_id == Beneficiary.id,
        AccessGrant.organization_id == organization_id,
        active_grant(now),
    )


def visible(principal: Principal, now: datetime) -> Select[Beneficiary]:
    """Active people the caller may see (any section)."""
    statement = select(Beneficiary).where(Beneficiary.status == "active")
    if not access.works_on_cases(principal) or principal.organization_id is None:
        return statement.where(false())
    org = principal.organization_id
    return statement.where(or_(Beneficiary.organization_id == org, granted(org, now)))


async def grants_of(
    session: AsyncSession, beneficiary_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Grant]]:
    if not beneficiary_ids:
        return {}
    rows = await session.execute(
        select(
            AccessGrant.beneficiary_id,
            AccessGrant.organization_id,
            AccessGrant.sections,
            AccessGrant.expires_at,
            AccessGrant.source,
        ).where(AccessGrant.beneficiary_id.in_(beneficiary_ids), AccessGrant.revoked_at.is_(None))
    )
    grants: dict[uuid.UUID, list[Grant]] = {}
    for beneficiary_id, organization_id, sections, expires_at, source in rows:
        grants.setdefault(beneficiary_id, []).append(
            Grant(organization_id, frozenset(sections), expires_at, emergency=source == "emergency")
        )
    return grants


async def any_status(
    session: AsyncSession, beneficiary_id: uuid.UUID, *, lock: bool = False
) -> Beneficiary | None:
    """The row whatever its status (merged and erased records answer differently from missing)."""
    statement = select(Beneficiary).where(Beneficiary.id == beneficiary_id)
    if lock:
        statement = statement.with_for_update()
    row: Beneficiary | None = await session.scalar(statement)
    return row


async def log_access(
    session: AsyncSession,
    principal: Principal,
    beneficiary_ids: Sequence[uuid.UUID],
    *,
    action: str,
    purpose: str,
    emergency: bool = False,
) -> None:
    """One row per person read, in one statement (lists log every person they return)."""
    if not beneficiary_ids:
        return
    await session.execute(
        insert(AccessLogEntry),
        [
            {
                "beneficiary_id": beneficiary_id,
                "actor": principal.subject,
                "actor_organization_id": principal.organization_id,
                "action": action,
                "purpose": purpose,
                "emergency": emergency,
            }
            for beneficiary_id in beneficiary_ids
        ],
    )


async def record_change(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    action: str,
    changes: dict[str, object],
) -> None:
    session.add(
        Change(
            beneficiary_id=beneficiary_id,
            action=action,
            changes=changes,
            actor=principal.subject,
            actor_organization_id=principal.organization_id,
        )
    )
    await session.flush()


def candidates(
    principal: Principal, keys: list[str], now: datetime, *, limit: int = 50
) -> Select[Beneficiary]:
    """People the caller may see who share a blocking key: never a scan of the table."""
    return visible(principal, now).where(Beneficiary.blocking_keys.overlap(keys)).limit(limit)
