"""Emergency access to a person (``/emergency-access``): break the glass, close, list."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.intake.api.deps import Gateway, VisibleBeneficiary
from services.intake.db.models import idempotency
from services.intake.schemas.consent import EmergencyAccessCreate, EmergencyAccessRead
from services.intake.service import emergency as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import Page, whole

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}",
    tags=["consents"],
    route_class=idempotent_routes(idempotency),
)


@router.post(
    "/emergency-access",
    status_code=status.HTTP_201_CREATED,
    response_model=EmergencyAccessRead,
    responses=problems(403, 404, 409, 422, 503),
    summary="Break the glass: open a record without consent for 24 hours, on a legal basis",
    description="For org admins of an organisation the platform admin entitled to the reason "
    "code (never partner systems, operators or platform admins). Opens only the sections the "
    "reason allows (by default the ones it needs), one access at a time per organisation and "
    "person, not renewable. Logged; the registering organisation is told at once "
    "(`emergency_access.opened`) and the person sees it in the app.",
)
async def break_glass(
    beneficiary_id: uuid.UUID,
    body: EmergencyAccessCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
    gateway: Gateway,
) -> EmergencyAccessRead:
    entitled = gateway.emergency_reasons
    opened = await service.open_access(session, principal, beneficiary_id, body, entitled)
    response.headers["Location"] = (
        f"/api/v1/beneficiaries/{beneficiary_id}/emergency-access/{opened.id}"
    )
    return service.as_read(opened)


@router.delete(
    "/emergency-access/{emergency_access_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404),
    summary="Close an emergency access early: its sections close at once (idempotent)",
    description="For org admins of the organisation that opened it.",
)
async def close_emergency_access(
    beneficiary_id: uuid.UUID,
    emergency_access_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    await service.close_access(session, principal, beneficiary_id, emergency_access_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/emergency-access",
    response_model=Page[EmergencyAccessRead],
    responses=problems(404),
    summary="Emergency accesses to the person (the registering organisation sees them all)",
    description="The whole list in one page: `next_cursor` is always null.",
)
async def list_emergency_access(
    beneficiary: VisibleBeneficiary, session: DbSession
) -> Page[EmergencyAccessRead]:
    found = await service.listed(session, beneficiary.row, beneficiary.view)
    return whole([service.as_read(item) for item in found])
