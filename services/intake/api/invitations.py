"""Invitations to the self-service app: ``POST /api/v1/beneficiaries/{id}/invitations`` (the
registering organisation) and ``POST /internal/invitations/redeem`` (the gateway, when the
person activates the app; never routed by the gateway)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Depends, Response, status

from services.intake.api.deps import Settings
from services.intake.db.models import idempotency
from services.intake.schemas.self_service import InvitationCreated, Redeem, RedeemedInvitation
from services.intake.service import invitations
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.events import internal_auth
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}",
    tags=["self-service"],
    route_class=idempotent_routes(idempotency),
)
internal_router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.post(
    "/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationCreated,
    responses=problems(404, 422),
    summary="Invite the person to the self-service app: a one-time code",
    description="For the registering organisation's case roles. The code is shown once and "
    "expires (72 hours by default); a new invitation revokes the person's unused ones.",
)
async def invite(
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
    settings: Settings,
) -> InvitationCreated:
    invitation, code = await invitations.invite(
        session, principal, beneficiary_id, timedelta(hours=settings.invitation_ttl_hours)
    )
    response.headers["Cache-Control"] = "no-store"
    return InvitationCreated(
        id=invitation.id,
        beneficiary_id=invitation.beneficiary_id,
        code=invitations.shown(code),
        expires_at=invitation.expires_at,
    )


@internal_router.post("/invitations/redeem", response_model=RedeemedInvitation)
async def redeem(body: Redeem, session: DbSession) -> RedeemedInvitation:
    redeemed = await invitations.redeem(session, body.code)
    return RedeemedInvitation(
        beneficiary_id=redeemed.beneficiary_id, organization_id=redeemed.organization_id
    )
