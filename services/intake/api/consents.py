"""Consents of a person (``/consents``; emergency access: ``emergency.py``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.intake.db.models import idempotency
from services.intake.schemas.consent import ConsentCreate, ConsentRead
from services.intake.service import consents as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.etags import content_etag
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import Page, whole

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}",
    tags=["consents"],
    route_class=idempotent_routes(idempotency),
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
    consent = await service.grant(session, principal, beneficiary_id, body)
    response.headers["Location"] = f"/api/v1/beneficiaries/{beneficiary_id}/consents/{consent.id}"
    return service.as_read(consent)


@router.get(
    "/consents",
    response_model=Page[ConsentRead],
    responses=problems(404),
    summary="The person's consents, withdrawn ones included",
    description="The whole list in one page: `next_cursor` is always null.",
)
async def list_consents(
    beneficiary_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Page[ConsentRead]:
    return whole(
        [
            service.as_read(consent)
            for consent in await service.listed(session, principal, beneficiary_id)
        ]
    )


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
    read = service.as_read(await service.one(session, principal, beneficiary_id, consent_id))
    # A consent has no version column; its state (withdrawn or not) is in the content.
    response.headers["ETag"] = content_etag(read.model_dump_json().encode())
    return read


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
    await service.withdraw(session, principal, beneficiary_id, consent_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
