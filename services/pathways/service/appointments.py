"""Booking, listing, reading, rescheduling appointments and recording their attendance; the
person's own upcoming appointments (self-service).

What an appointment names is checked before anything is stored: the person must be visible to
the caller (404), the pathway must be the caller's organisation's for that person and the action
one of that pathway's (422 by field), the service point usable by the organisation (matching:
422, or 503 when it cannot answer), the operator an active operator or org admin of it (the
gateway: 422, or 503)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.clients.gateway import GatewayClient
from services.pathways.clients.matching import MatchingClient
from services.pathways.db import actions as action_rows
from services.pathways.db import appointments as repository
from services.pathways.db import pathways as pathway_rows
from services.pathways.db.models import Appointment
from services.pathways.domain.appointments import (
    Attendance,
    attendance_problem,
    change_problem,
    new_time_problem,
    reason_problem,
)
from services.pathways.errors import (
    AppointmentConflict,
    InvalidField,
    MayNotBookAppointments,
    NotTheBookingOrganisation,
    PersonNotFound,
    UnusableReferences,
)
from services.pathways.schemas.appointments import (
    AppointmentCreate,
    AppointmentPage,
    AppointmentRead,
    AppointmentUpdate,
    OwnAppointment,
    OwnAppointments,
)
from shared import clock
from shared.auth import Principal
from shared.auth.principal import PrincipalKind
from shared.pagination import page_of

_POINT_PROBLEM = (
    "is not a service point your organisation may use (unknown, closed or not published to your "
    "clusters)"
)


async def _service_point_name(
    matching: MatchingClient, organization_id: uuid.UUID, point_id: uuid.UUID
) -> str:
    checked = await matching.check([point_id], organization_id, [])
    point = checked.usable.get(point_id)
    if point is None:
        raise UnusableReferences({"service_point_id": _POINT_PROBLEM})
    return point.name


async def _operator(
    principal: Principal,
    organization_id: uuid.UUID,
    operator_id: str | None,
    gateway: GatewayClient,
) -> str:
    """The operator the appointment names: the calling user by default (a partner system must
    name one); anyone else must be an active operator or org admin of the organisation."""
    if operator_id is None or operator_id == principal.subject:
        if principal.kind == PrincipalKind.CLIENT:
            raise InvalidField("operator_id", "a partner system names the operator")
        return principal.subject
    if not await gateway.is_operator(organization_id, operator_id):
        raise InvalidField("operator_id", "is not an active operator of your organisation")
    return operator_id


async def _check_links(
    session: AsyncSession, principal: Principal, body: AppointmentCreate
) -> None:
    """The pathway is the caller's organisation's, about this person; the action is its own."""
    if body.pathway_id is None:
        return
    pathway = await repository.pathway_of(
        session, body.pathway_id, body.beneficiary_id, principal.organization_id
    )
    if pathway is None:
        raise InvalidField("pathway_id", "is not a pathway of your organisation for this person")
    if body.action_id is not None:
        if await action_rows.find(session, pathway.id, body.action_id) is None:
            raise InvalidField("action_id", "is not an action of this pathway")


async def book(
    session: AsyncSession,
    principal: Principal,
    body: AppointmentCreate,
    matching: MatchingClient,
    gateway: GatewayClient,
) -> Appointment:
    if not principal.works_on_cases or principal.organization_id is None:
        raise MayNotBookAppointments()
    moment = clock.now()
    if not await pathway_rows.may_see_person(session, principal, body.beneficiary_id, moment):
        raise PersonNotFound()
    await _check_links(session, principal, body)
    operator_id = await _operator(principal, principal.organization_id, body.operator_id, gateway)
    point_name = None
    if body.service_point_id is not None:
        point_name = await _service_point_name(
            matching, principal.organization_id, body.service_point_id
        )
    appointment = Appointment(
        id=uuid.uuid4(),
        beneficiary_id=body.beneficiary_id,
        organization_id=principal.organization_id,
        pathway_id=body.pathway_id,
        step=body.step.value if body.step else None,
        action_id=body.action_id,
        start_at=body.start_at.astimezone(UTC),
        duration_minutes=body.duration_minutes,
        service_point_id=body.service_point_id,
        service_point_name=point_name,
        address=body.address,
        operator_id=operator_id,
        interpreter_needed=body.interpreter_needed,
        cultural_mediator_needed=body.cultural_mediator_needed,
        language=body.language,
        purpose=body.purpose,
        attendance=Attendance.SCHEDULED.value,
        version=1,
        created_by=principal.subject,
        created_at=moment,
        updated_at=moment,
    )
    repository.add(session, appointment)
    if appointment.pathway_id is not None:
        pathway_rows.note_on(
            session,
            appointment.pathway_id,
            "appointment_booked",
            principal.subject,
            appointment_id=str(appointment.id),
            start_at=appointment.start_at.isoformat(),
        )
    await session.flush()
    return appointment


async def listed(
    session: AsyncSession,
    principal: Principal,
    only: repository.AppointmentFilter,
    limit: int,
    cursor: str | None,
) -> AppointmentPage:
    if only.operator_id == "me":
        only = replace(only, operator_id=principal.subject)
    rows = await repository.page(session, principal, clock.now(), only, limit, cursor)
    found = page_of(rows, limit, lambda row: (row.start_at, row.id), AppointmentRead.model_validate)
    return AppointmentPage(items=found.items, next_cursor=found.next_cursor)


async def visible(
    session: AsyncSession, principal: Principal, appointment_id: uuid.UUID
) -> Appointment:
    """The appointment the caller may see, or 404."""
    return await repository.get_visible(session, principal, appointment_id, clock.now())


async def to_change(
    session: AsyncSession, principal: Principal, appointment_id: uuid.UUID
) -> Appointment:
    """The appointment, locked, for the organisation that booked it: 404 unseen, 403 another's."""
    appointment = await repository.get_visible(
        session, principal, appointment_id, clock.now(), lock=True
    )
    if appointment.organization_id != principal.organization_id:
        raise NotTheBookingOrganisation()
    return appointment


def _record_attendance(
    principal: Principal, appointment: Appointment, body: AppointmentUpdate, now: datetime
) -> dict[str, Any]:
    new = body.attendance
    if new is None:  # the schema refuses it already; kept for the type
        raise InvalidField("attendance", "cannot be null")
    problem = reason_problem(new, body.attendance_reason)
    if problem:
        raise InvalidField("attendance_reason", problem)
    current = Attendance(appointment.attendance)
    problem = attendance_problem(current, new, appointment.start_at, now)
    if problem:
        raise AppointmentConflict(problem)
    appointment.attendance = new.value
    appointment.attendance_reason = body.attendance_reason.value if body.attendance_reason else None
    appointment.attendance_recorded_at = now
    appointment.attendance_recorded_by = principal.subject
    return {"attendance": new.value}


async def _reschedule(
    principal: Principal,
    appointment: Appointment,
    body: AppointmentUpdate,
    now: datetime,
    clients: tuple[MatchingClient, GatewayClient],
) -> dict[str, Any]:
    problem = change_problem(Attendance(appointment.attendance))
    if problem:
        raise AppointmentConflict(problem)
    changes = body.model_dump(exclude_unset=True)
    if body.start_at is not None:
        problem = new_time_problem(body.start_at, now)
        if problem:
            raise InvalidField("start_at", problem)
        changes["start_at"] = body.start_at.astimezone(UTC)  # as a read answers it
    support = changes.get("interpreter_needed", appointment.interpreter_needed) or changes.get(
        "cultural_mediator_needed", appointment.cultural_mediator_needed
    )
    language = changes.get("language", appointment.language)
    if support and language is None:
        raise InvalidField("language", "an interpreter or a cultural mediator needs the language")
    if not support and language is not None:
        changes["language"] = None  # no support any more: no language to arrange
    matching, gateway = clients
    if body.operator_id is not None and body.operator_id != appointment.operator_id:
        changes["operator_id"] = await _operator(
            principal, appointment.organization_id, body.operator_id, gateway
        )
    if "service_point_id" in changes or "address" in changes:
        point_name = None
        if body.service_point_id is not None:
            point_name = await _service_point_name(
                matching, appointment.organization_id, body.service_point_id
            )
        changes |= {
            "service_point_id": body.service_point_id,
            "service_point_name": point_name,
            "address": body.address,
        }
    for field, value in changes.items():
        setattr(appointment, field, value)
    return {"fields": sorted(changes)}


async def change(
    session: AsyncSession,
    principal: Principal,
    appointment: Appointment,
    body: AppointmentUpdate,
    clients: tuple[MatchingClient, GatewayClient],
) -> None:
    """Apply the body (its If-Match was checked): an attendance, or a reschedule."""
    now = clock.now()
    if "attendance" in body.model_fields_set:
        summary = _record_attendance(principal, appointment, body, now)
    else:
        summary = await _reschedule(principal, appointment, body, now, clients)
    appointment.version += 1
    appointment.updated_at = now
    if appointment.pathway_id is not None:
        pathway_rows.note_on(
            session,
            appointment.pathway_id,
            "appointment_updated",
            principal.subject,
            appointment_id=str(appointment.id),
            **summary,
        )
    await session.flush()


async def own(session: AsyncSession, person: uuid.UUID) -> OwnAppointments:
    """The person's appointments not yet over, by start time."""
    rows = await repository.own_upcoming(session, person, clock.now())
    return OwnAppointments(
        items=[
            OwnAppointment(
                id=row.id,
                start_at=row.start_at,
                duration_minutes=row.duration_minutes,
                place_name=row.service_point_name,
                address=row.address,
                purpose=row.purpose,
                interpreter_needed=row.interpreter_needed,
                cultural_mediator_needed=row.cultural_mediator_needed,
                language=row.language,
                cancelled=row.attendance == Attendance.CANCELLED,
            )
            for row in rows
        ]
    )
