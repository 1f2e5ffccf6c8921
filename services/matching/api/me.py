"""The person's own referrals in the self-service app (role ``beneficiary``): the offers proposed
to them and how each referral goes; they accept or decline a proposed one.

Accepting is the person's word, kept in the referral's history (``person_response``) for the
referrer and the provider to see; the provider still accepts or rejects, so the status stays
``proposed``. Declining ends the referral: ``proposed -> dropped`` with the person's reason (code
``person_declined``), as a referrer's drop would, with the same ``referral.status_changed`` event.
Once the person's consent to matching has ended, their referrals have ended too (code
``consent_withdrawn``) and accepting one is refused (409) even before that is known here. The
person's id comes from the token, never from the path: another person's referral is a 404."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.matching.api.deps import PersonsReferral
from services.matching.db.models import idempotency
from services.matching.db.referrals import Own
from services.matching.domain.referrals import ReferralReasonCode, ReferralStatus
from services.matching.schemas.me import (
    Decline,
    OfferSummary,
    OwnReferral,
    OwnReferrals,
    ServicePointSummary,
)
from services.matching.service import me
from shared.auth import CurrentPrincipal
from shared.auth.person import CurrentPerson
from shared.db import DbSession, ReadSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems

router = APIRouter(
    prefix="/api/v1/me/referrals",
    tags=["self-service"],
    route_class=idempotent_routes(idempotency),
)


def _read(own: Own) -> OwnReferral:
    referral, offer, point = own
    return OwnReferral(
        id=referral.id,
        status=ReferralStatus(referral.status),
        person_response=me.person_response(referral.history),
        reason_code=ReferralReasonCode(referral.reason_code) if referral.reason_code else None,
        offer=OfferSummary(
            id=offer.id,
            type=offer.type,
            title=offer.title,
            provider_organization_id=offer.organization_id,
            municipality=offer.municipality,
            schedule=offer.schedule,
            starts_on=offer.starts_on,
            ends_on=offer.ends_on,
        )
        if offer is not None
        else None,
        service_point=ServicePointSummary(
            id=point.id,
            name=point.name,
            kind=point.kind,
            provider_organization_id=point.organization_id,
            territory_code=point.territory_code,
            address=point.address,
            opening_hours=list(point.opening_hours),
            access_mode=point.access_mode,
        )
        if point is not None
        else None,
        created_at=referral.created_at,
        updated_at=referral.updated_at,
    )


@router.get(
    "",
    response_model=OwnReferrals,
    responses=problems(403),
    summary="The person's own referrals with their offers (status proposed: offers to answer)",
)
async def own_referrals(
    person: CurrentPerson,
    session: ReadSession,
    status: ReferralStatus | None = None,
) -> OwnReferrals:
    rows = await me.own(session, person, status)
    return OwnReferrals(items=[_read(row) for row in rows])


@router.post(
    "/{referral_id}/accept",
    response_model=OwnReferral,
    responses=problems(403, 404, 409),
    summary="The person accepts a proposed offer (the provider still decides)",
)
async def accept(
    own: PersonsReferral, person: CurrentPerson, principal: CurrentPrincipal, session: DbSession
) -> OwnReferral:
    await me.accept(session, person, principal.subject, own[0])
    return _read(own)


@router.post(
    "/{referral_id}/decline",
    response_model=OwnReferral,
    responses=problems(403, 404, 409, 422),
    summary="The person declines a proposed offer: the referral is dropped",
)
async def decline(
    referral_id: uuid.UUID,
    body: Decline,
    person: CurrentPerson,
    principal: CurrentPrincipal,
    session: DbSession,
) -> OwnReferral:
    return _read(await me.decline(session, person, principal.subject, referral_id, body.reason))
