"""Every statement over appointments, scoped to what the caller may see: an appointment is data
about a person, visible under the same rule as the person's pathways (the organisation that
registered them, and those they shared the ``pathway`` section with); 404 otherwise."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import Appointment, Pathway, beneficiary_access
from services.pathways.db.pathways import person_visible
from services.pathways.errors import AppointmentNotFound
from shared.auth import Principal
from shared.pagination import keyset


def _minutes(column: Any) -> Any:
    return func.make_interval(0, 0, 0, 0, 0, column)


@dataclass(frozen=True)
class AppointmentFilter:
    beneficiary_id: uuid.UUID | None = None
    pathway_id: uuid.UUID | None = None
    operator_id: str | None = None  # a user id ("me" already resolved)
    start_from: datetime | None = None
    start_before: datetime | None = None
    attendance: str | None = None


async def get_visible(
    session: AsyncSession,
    principal: Principal,
    appointment_id: uuid.UUID,
    now: datetime,
    *,
    lock: bool = False,
) -> Appointment:
    """The appointment the caller may see (locked when asked), or 404."""
    statement = select(Appointment).where(
        Appointment.id == appointment_id,
        person_visible(principal, Appointment.beneficiary_id, now),
    )
    if lock:
        statement = statement.with_for_update()
    appointment: Appointment | None = await session.scalar(statement)
    if appointment is None:
        raise AppointmentNotFound()
    return appointment


async def page(
    session: AsyncSession,
    principal: Principal,
    now: datetime,
    only: AppointmentFilter,
    limit: int,
    cursor: str | None,
) -> Sequence[Appointment]:
    """A keyset page (one extra row) of the visible appointments, by start time."""
    statement = select(Appointment).where(
        person_visible(principal, Appointment.beneficiary_id, now)
    )
    if only.beneficiary_id is not None:
        statement = statement.where(Appointment.beneficiary_id == only.beneficiary_id)
    if only.pathway_id is not None:
        statement = statement.where(Appointment.pathway_id == only.pathway_id)
    if only.operator_id is not None:
        statement = statement.where(Appointment.operator_id == only.operator_id)
    if only.start_from is not None:
        statement = statement.where(Appointment.start_at >= only.start_from)
    if only.start_before is not None:
        statement = statement.where(Appointment.start_at < only.start_before)
    if only.attendance is not None:
        statement = statement.where(Appointment.attendance == only.attendance)
    key = (Appointment.start_at, Appointment.id)
    return (await session.scalars(keyset(statement, key, cursor, limit))).all()


async def pathway_of(
    session: AsyncSession,
    pathway_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
    organization_id: uuid.UUID | None,
) -> Pathway | None:
    """The pathway, only if it is ``organization_id``'s and about the person (else None)."""
    pathway: Pathway | None = await session.scalar(
        select(Pathway).where(
            Pathway.id == pathway_id,
            Pathway.beneficiary_id == beneficiary_id,
            Pathway.organization_id == organization_id,
        )
    )
    return pathway


def add(session: AsyncSession, appointment: Appointment) -> None:
    session.add(appointment)


async def own_upcoming(
    session: AsyncSession, beneficiary_id: uuid.UUID, now: datetime
) -> Sequence[Appointment]:
    """The person's own appointments not yet over (self-service), while the person is known here
    and neither erased nor merged away; cancelled ones too (the person must know)."""
    access = beneficiary_access.c
    live = exists().where(
        access.beneficiary_id == beneficiary_id,
        access.erased.is_(False),
        access.merged_into.is_(None),
    )
    statement = (
        select(Appointment)
        .where(Appointment.beneficiary_id == beneficiary_id, live)
        .where(Appointment.start_at + _minutes(Appointment.duration_minutes) >= now)
        .order_by(Appointment.start_at, Appointment.id)
        .limit(100)
    )
    return (await session.scalars(statement)).all()


async def of_person(session: AsyncSession, beneficiary_id: uuid.UUID) -> Sequence[Appointment]:
    """Every appointment of the person (the GDPR export)."""
    statement = (
        select(Appointment)
        .where(Appointment.beneficiary_id == beneficiary_id)
        .order_by(Appointment.start_at, Appointment.id)
    )
    return (await session.scalars(statement)).all()


async def erase(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    """Erasure: the person's appointments go (no indicator counts them)."""
    await session.execute(delete(Appointment).where(Appointment.beneficiary_id == beneficiary_id))


async def merge(session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID) -> None:
    await session.execute(
        update(Appointment)
        .where(Appointment.beneficiary_id == merged_id)
        .values(beneficiary_id=survivor_id)
    )
