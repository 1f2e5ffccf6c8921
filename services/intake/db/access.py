"""Who may see a person, as statements: the access grants consents and emergency accesses open.
Every readable statement over people is built from these, so that the 404 for "not yours" comes
from the same query as the 404 for "not there"."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.models import AccessGrant, Beneficiary
from services.intake.domain.access import Grant


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


def shared_with(organization_id: uuid.UUID, now: datetime) -> Select[uuid.UUID]:
    """The ids of the people shared with the organisation now."""
    return select(AccessGrant.beneficiary_id).where(
        AccessGrant.organization_id == organization_id, active_grant(now)
    )


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


async def grants_on(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[Grant]:
    return (await grants_of(session, [beneficiary_id])).get(beneficiary_id, [])


def add_grant(
    session: AsyncSession,
    *,
    source: str,
    source_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
    organization_id: uuid.UUID,
    sections: list[str],
    expires_at: datetime | None = None,
) -> None:
    session.add(
        AccessGrant(
            source_id=source_id,
            source=source,
            beneficiary_id=beneficiary_id,
            organization_id=organization_id,
            sections=sections,
            expires_at=expires_at,
        )
    )


async def revoke_source(session: AsyncSession, source_id: uuid.UUID, moment: datetime) -> None:
    """The grant a consent or an emergency access opened ends (kept: syncs send a tombstone)."""
    await session.execute(
        update(AccessGrant).where(AccessGrant.source_id == source_id).values(revoked_at=moment)
    )
    await session.flush()


async def revoke_all(session: AsyncSession, beneficiary_id: uuid.UUID, moment: datetime) -> None:
    await session.execute(
        update(AccessGrant)
        .where(AccessGrant.beneficiary_id == beneficiary_id, AccessGrant.revoked_at.is_(None))
        .values(revoked_at=moment)
    )
