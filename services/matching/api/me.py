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
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import exists, select

from services.matching.db.models import Offer, Referral, beneficiary_access, idempotency
from services.matching.db.referral_access import consent_active
from services.matching.schemas.referrals import (
    REASON_CODE_DESCRIPTION,
    ReferralReasonCode,
    ReferralStatus,
)
from services.matching.service import referrals
from shared.auth import CurrentPrincipal
from shared.auth.person import CurrentPerson
from shared.db import DbSession, ReadSession
from shared.errors import Conflict, NotFound
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems

router = APIRouter(
    prefix="/api/v1/me/referrals",
    tags=["self-service"],
    route_class=idempotent_routes(idempotency),
)


class OfferSummary(BaseModel):
    id: uuid.UUID
    type: str
    title: str
    provider_organization_id: uuid.UUID
    municipality: str | None
    schedule: str | None
    starts_on: date | None
    ends_on: date | None


class OwnReferral(BaseModel):
    id: uuid.UUID
    status: ReferralStatus
    person_response: Literal["accepted", "declined"] | None = Field(
        description="what the person answered in the app, if anything"
    )
    reason_code: ReferralReasonCode | None = Field(description=REASON_CODE_DESCRIPTION)
    offer: OfferSummary
    created_at: datetime
    updated_at: datetime


class OwnReferrals(BaseModel):
    items: list[OwnReferral]


class Decline(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "I found a job."}]}
    )

    reason: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
        | None
    ) = None


def _person_response(history: list[dict[str, Any]]) -> Literal["accepted", "declined"] | None:
    for entry in reversed(history):
        if entry.get("person") in ("accepted", "declined"):
            return entry["person"]  # type: ignore[no-any-return]
    return None


def _read(referral: Referral, offer: Offer) -> OwnReferral:
    return OwnReferral(
        id=referral.id,
        status=ReferralStatus(referral.status),
        person_response=_person_response(referral.history),
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
        ),
        created_at=referral.created_at,
        updated_at=referral.updated_at,
    )


def _own(person: uuid.UUID) -> Any:
    """The person's referrals, while the person is known here and not erased or merged away."""
    access = beneficiary_access.c
    live = exists().where(
        access.beneficiary_id == person, access.erased.is_(False), access.merged_into.is_(None)
    )
    return (
        select(Referral, Offer)
        .join(Offer, Offer.id == Referral.offer_id)
        .where(Referral.beneficiary_id == person, live)
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
    statement = _own(person).order_by(Referral.created_at.desc(), Referral.id)
    if status is not None:
        statement = statement.where(Referral.status == status.value)
    rows = (await session.execute(statement)).all()
    return OwnReferrals(items=[_read(referral, offer) for referral, offer in rows])


async def _proposed(session: DbSession, person: uuid.UUID, referral_id: uuid.UUID) -> Any:
    row = (
        await session.execute(
            _own(person).where(Referral.id == referral_id).with_for_update(of=Referral)
        )
    ).first()
    if row is None:
        raise NotFound("No such referral.")
    if row[0].status != ReferralStatus.PROPOSED:
        raise Conflict(
            f"The referral is {row[0].status}: only a proposed one can be answered.",
            allowed_statuses=[],
        )
    return row


def _answer(referral: Referral, principal_subject: str, answer: str, reason: str | None) -> None:
    moment = referrals.now()
    referral.history = [
        *referral.history,
        {
            "status": referral.status,
            "at": moment.isoformat(),
            "by": principal_subject,
            "person": answer,
            "reason": reason,
        },
    ]
    referral.version += 1
    referral.updated_at = moment


@router.post(
    "/{referral_id}/accept",
    response_model=OwnReferral,
    responses=problems(403, 404, 409),
    summary="The person accepts a proposed offer (the provider still decides)",
)
async def accept(
    referral_id: uuid.UUID, person: CurrentPerson, principal: CurrentPrincipal, session: DbSession
) -> OwnReferral:
    referral, offer = await _proposed(session, person, referral_id)
    if not await session.scalar(select(consent_active(person))):
        raise Conflict(
            "Your consent to matching has ended: give it again before answering offers.",
            allowed_statuses=[],
        )
    if _person_response(referral.history) != "accepted":
        _answer(referral, principal.subject, "accepted", None)
        await session.flush()
    return _read(referral, offer)


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
    referral, offer = await _proposed(session, person, referral_id)
    reason = f"declined by the person: {body.reason}" if body.reason else "declined by the person"
    await referrals.transition(  # the bookkeeping and the one event of every move
        session,
        referral,
        ReferralStatus.DROPPED,
        by=principal.subject,
        reason=reason[:500],
        reason_code=ReferralReasonCode.PERSON_DECLINED,
        entry={"person": "declined", "reason": body.reason},
    )
    return _read(referral, offer)
