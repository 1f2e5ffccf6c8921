"""Statements over transfer requests. Every list names the caller's organisation as a party, so
another organisation's transfers are "not there" in the same query."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.models import Beneficiary, Consent, Transfer
from services.intake.domain.enums import Purpose
from services.intake.domain.transfers import Direction, TransferStatus
from shared.pagination import decode_cursor

KEY = (Transfer.requested_at, Transfer.id)


async def add(session: AsyncSession, transfer: Transfer) -> None:
    session.add(transfer)
    await session.flush()


async def get(
    session: AsyncSession, transfer_id: uuid.UUID, *, lock: bool = False
) -> Transfer | None:
    statement = select(Transfer).where(Transfer.id == transfer_id)
    if lock:  # read again under the lock, whatever the session held
        statement = statement.with_for_update().execution_options(populate_existing=True)
    found: Transfer | None = await session.scalar(statement)
    return found


async def pending_of(session: AsyncSession, beneficiary_id: uuid.UUID) -> Transfer | None:
    found: Transfer | None = await session.scalar(
        select(Transfer).where(
            Transfer.beneficiary_id == beneficiary_id, Transfer.status == TransferStatus.PENDING
        )
    )
    return found


async def page(
    session: AsyncSession,
    organization_id: uuid.UUID,
    direction: Direction | None,
    status: TransferStatus | None,
    cursor: str | None,
    limit: int,
) -> Sequence[tuple[Transfer, Beneficiary]]:
    """Newest first, with the person (the minimum a receiver sees comes from it)."""
    if direction == Direction.SENT:
        party = Transfer.from_organization_id == organization_id
    elif direction == Direction.RECEIVED:
        party = Transfer.to_organization_id == organization_id
    else:
        party = or_(
            Transfer.from_organization_id == organization_id,
            Transfer.to_organization_id == organization_id,
        )
    statement = (
        select(Transfer, Beneficiary)
        .join(Beneficiary, Beneficiary.id == Transfer.beneficiary_id)
        .where(party)
    )
    if status is not None:
        statement = statement.where(Transfer.status == status)
    if cursor:
        statement = statement.where(tuple_(*KEY) < tuple(decode_cursor(cursor, KEY)))
    statement = statement.order_by(Transfer.requested_at.desc(), Transfer.id.desc()).limit(
        limit + 1
    )
    return [(transfer, person) for transfer, person in (await session.execute(statement)).all()]


async def transfer_consent(
    session: AsyncSession, beneficiary_id: uuid.UUID, organization_id: uuid.UUID
) -> Consent | None:
    """The person's standing consent to move their case to ``organization_id``, the latest."""
    found: Consent | None = await session.scalar(
        select(Consent)
        .where(
            Consent.beneficiary_id == beneficiary_id,
            Consent.purpose == Purpose.TRANSFER,
            Consent.organization_id == organization_id,
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Consent.granted_at.desc(), Consent.id.desc())
        .limit(1)
    )
    return found


async def external_id_taken(
    session: AsyncSession, organization_id: uuid.UUID, external_id: str
) -> bool:
    found = await session.scalar(
        select(Beneficiary.id).where(
            Beneficiary.organization_id == organization_id, Beneficiary.external_id == external_id
        )
    )
    return found is not None


async def erase(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    """An erasure: the requests go (their reasons are free text about the person)."""
    await session.execute(delete(Transfer).where(Transfer.beneficiary_id == beneficiary_id))
