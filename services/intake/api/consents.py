"""Consents (``/consents``) and emergency access (``/emergency-access``) of a person."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from services.intake.db.models import Consent, idempotency
from services.intake.schemas.consent import (
    ConsentCreate,
    ConsentRead,
    EmergencyAccessCreate,
    EmergencyAccessRead,
)
from services.intake.service import beneficiaries as registry
from services.intake.service import consents as sharing
from services.intake.service import emergency
from services.intake.settings import IntakeSettings
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.errors import NotFound
from shared.etags import content_etag
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}",
    tags=["consents"],
    route_class=idempotent_routes(idempotency),
)


def _read(consent: Consent) -> ConsentRead:
    return ConsentRead(
        id=consent.id,
        beneficiary_id=consent.beneficiary_id,
        purpose=consent.purpose,  # type: ignore[arg-type]
        organization_id=consent.organization_id,
        sections=consent.sections,  # type: ignore[arg-type]
        text_version=consent.text_version,
        collection_method=consent.collection_method,  # type: ignore[arg-type]
        granted_at=consent.granted_at,
        granted_by=consent.granted_by,
        withdrawn_at=consent.withdrawn_at,
        withdrawn_by=consent.withdrawn_by,
        active=consent.withdrawn_at is None,
    )


@router.post(
    "/consents",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsentRead,
    responses=problems(404, 422),
    summary="Record a consent the person gave (sharing opens the named sections at once)",
)
async def grant_consent(
    beneficiary_id: uuid.UUID,
    body: ConsentCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> ConsentRead:
    consent = await sharing.grant(session, principal, beneficiary_id, body)
    response.headers["Location"] = f"/api/v1/beneficiaries/{beneficiary_id}/consents/{consent.id}"
    return _read(consent)


@router.get(
    "/consents",
    response_model=list[ConsentRead],
    responses=problems(404),
    summary="The person's consents, withdrawn ones included",
)
async def list_consents(
    beneficiary_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> list[ConsentRead]:
    return [
        _read(consent) for consent in await sharing.consents(session, principal, beneficiary_id)
    ]


@router.get(
    "/consents/{consent_id}",
    response_model=ConsentRead,
    responses=problems(404),
    summary="One consent",
)
async def read_consent(
    beneficiary_id: uuid.UUID,
    consent_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> ConsentRead:
    for consent in await sharing.consents(session, principal, beneficiary_id):
        if consent.id == consent_id:
            read = _read(consent)
            # A consent has no version column; its state (withdrawn or not) is in the content.
            response.headers["ETag"] = content_etag(read.model_dump_json().encode())
            return read
    raise NotFound("No such consent.")


@router.delete(
    "/consents/{consent_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(404),
    summary="Withdraw a consent: takes effect at once (idempotent)",
)
async def withdraw_consent(
    beneficiary_id: uuid.UUID,
    consent_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    await sharing.withdraw(session, principal, beneficiary_id, consent_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


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
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> EmergencyAccessRead:
    settings: IntakeSettings = request.app.state.settings
    entitled = emergency.gateway_entitlements(
        request.app.state.http, settings.gateway_url, settings.internal_token
    )
    opened = await emergency.open_access(session, principal, beneficiary_id, body, entitled)
    response.headers["Location"] = (
        f"/api/v1/beneficiaries/{beneficiary_id}/emergency-access/{opened.id}"
    )
    return emergency.read(opened)


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
    await emergency.close_access(session, principal, beneficiary_id, emergency_access_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/emergency-access",
    response_model=list[EmergencyAccessRead],
    responses=problems(404),
    summary="Emergency accesses to the person (the registering organisation sees them all)",
)
async def list_emergency_access(
    beneficiary_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> list[EmergencyAccessRead]:
    row, view = await registry.visible_row(session, principal, beneficiary_id)
    if not view.owner:
        raise NotFound("No such person.")
    return [emergency.read(item) for item in await emergency.of_person(session, row.id)]
