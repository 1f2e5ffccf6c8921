"""``/api/v1/appointments``: book, list (by start time), read, reschedule or record the
attendance of an appointment with a person. The person's own are under ``/api/v1/me``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.pathways.api.deps import gateway_client, matching_client
from services.pathways.db.appointments import AppointmentFilter
from services.pathways.db.models import Appointment, idempotency
from services.pathways.domain.appointments import Attendance
from services.pathways.schemas.appointments import (
    AppointmentCreate,
    AppointmentPage,
    AppointmentRead,
    AppointmentUpdate,
    AwareDateTime,
)
from services.pathways.service import appointments as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.etags import check_if_match, etag
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit

router = APIRouter(
    prefix="/api/v1/appointments",
    tags=["appointments"],
    route_class=idempotent_routes(idempotency),
)


def _read(appointment: Appointment, response: Response) -> AppointmentRead:
    response.headers["ETag"] = etag(appointment.version)
    return AppointmentRead.model_validate(appointment)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AppointmentRead,
    responses=problems(403, 404, 422, 503),
    summary="Book an appointment with a person you may see",
    description="The place is a service point (checked with matching: unusable, 422; matching "
    "down, 503) or a free address. `pathway_id` must be your organisation's pathway of this "
    "person and `action_id` one of its actions; `operator_id` an active operator or org admin "
    "of your organisation (you by default; a partner system must name one): 422 otherwise. "
    "Nothing is stored on a problem.",
)
async def book(
    body: AppointmentCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> AppointmentRead:
    appointment = await service.book(
        session, principal, body, matching_client(request), gateway_client(request)
    )
    response.headers["Location"] = f"/api/v1/appointments/{appointment.id}"
    return _read(appointment, response)


@router.get(
    "",
    response_model=AppointmentPage,
    summary="Appointments of the people you may see, by start time",
    description="`operator=me` is yours; `from` (inclusive) and `to` (exclusive) bound the start "
    "time and need a time zone.",
)
async def list_appointments(
    principal: CurrentPrincipal,
    session: DbSession,
    beneficiary_id: uuid.UUID | None = None,
    pathway_id: uuid.UUID | None = None,
    operator: Annotated[
        str | None, Query(min_length=1, max_length=100, description="a user id, or me")
    ] = None,
    start_from: Annotated[AwareDateTime | None, Query(alias="from")] = None,
    start_before: Annotated[AwareDateTime | None, Query(alias="to")] = None,
    attendance: Attendance | None = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> AppointmentPage:
    only = AppointmentFilter(
        beneficiary_id=beneficiary_id,
        pathway_id=pathway_id,
        operator_id=operator,
        start_from=start_from,
        start_before=start_before,
        attendance=attendance.value if attendance else None,
    )
    return await service.listed(session, principal, only, limit, cursor)


@router.get(
    "/{appointment_id}",
    response_model=AppointmentRead,
    responses=problems(404),
    summary="One appointment",
)
async def read_appointment(
    appointment_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, response: Response
) -> AppointmentRead:
    return _read(await service.visible(session, principal, appointment_id), response)


@router.patch(
    "/{appointment_id}",
    response_model=AppointmentRead,
    responses=problems(403, 404, 409, 412, 422, 428, 503),
    summary="Reschedule, or record the attendance (If-Match)",
    description="While scheduled: a new time (in the future), length, place, operator, language "
    "support or purpose. Or the attendance: `attended` or `missed` once it has started, "
    "`cancelled` before; `attendance_reason` is required for missed and cancelled. Attended and "
    "missed may correct each other; a cancelled appointment stays cancelled (409).",
)
async def update_appointment(
    appointment_id: uuid.UUID,
    body: AppointmentUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> AppointmentRead:
    appointment = await service.to_change(session, principal, appointment_id)
    check_if_match(request, appointment.version)
    clients = (matching_client(request), gateway_client(request))
    await service.change(session, principal, appointment, body, clients)
    return _read(appointment, response)
