"""Emergency accesses to people ("break the glass")."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.models import EmergencyAccess
from services.intake.errors import EmergencyAccessNotFound
from shared.auth import Principal


def readable(principal: Principal) -> Select[EmergencyAccess]:
    """The emergency accesses the caller's organisation opened."""
    return select(EmergencyAccess).where(
        EmergencyAccess.organization_id == principal.organization_id
    )


async def get_for_update(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, access_id: uuid.UUID
) -> EmergencyAccess:
    opened = await session.scalar(
        readable(principal)
        .where(EmergencyAccess.id == access_id, EmergencyAccess.beneficiary_id == beneficiary_id)
        .with_for_update()
    )
    if opened is None:
        raise EmergencyAccessNotFound
    return opened


async def open_one(
    session: AsyncSession, beneficiary_id: uuid.UUID, organization_id: uuid.UUID, now: datetime
) -> uuid.UUID | None:
    """The organisation's access to the person that is open now, if any."""
    found: uuid.UUID | None = await session.scalar(
        select(EmergencyAccess.id)
        .where(
            EmergencyAccess.beneficiary_id == beneficiary_id,
            EmergencyAccess.organization_id == organization_id,
            EmergencyAccess.closed_at.is_(None),
            EmergencyAccess.expires_at > now,
        )
        .limit(1)
    )
    return found


def add(session: AsyncSession, opened: EmergencyAccess) -> None:
    session.add(opened)


async def of_person(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[EmergencyAccess]:
    return list(
        (
            await session.scalars(
                select(EmergencyAccess)
                .where(EmergencyAccess.beneficiary_id == beneficiary_id)
                .order_by(EmergencyAccess.opened_at, EmergencyAccess.id)
            )
        ).all()
    )


async def forget_reasons(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    await session.execute(
        update(EmergencyAccess)
        .where(EmergencyAccess.beneficiary_id == beneficiary_id)
        .values(reason="[erased]")
    )
