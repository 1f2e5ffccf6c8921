"""The person's own referrals (role ``beneficiary``): read them, accept or decline a proposed
one. Accepting is the person's word, kept in the referral's history; declining drops the
referral with the person's reason (``person_declined``)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import referrals as repository
from services.matching.db.models import Referral
from services.matching.db.referrals import Own
from services.matching.domain.referrals import ReferralReasonCode, ReferralStatus
from services.matching.errors import NotProposed, OwnConsentEnded
from services.matching.service import referrals
from shared import clock


def person_response(history: list[dict[str, Any]]) -> Literal["accepted", "declined"] | None:
    for entry in reversed(history):
        if entry.get("person") in ("accepted", "declined"):
            return entry["person"]  # type: ignore[no-any-return]
    return None


async def own(session: AsyncSession, person: uuid.UUID, status: ReferralStatus | None) -> list[Own]:
    return await repository.own(session, person, status.value if status is not None else None)


async def get_own(session: AsyncSession, person: uuid.UUID, referral_id: uuid.UUID) -> Own:
    """The person's referral and its offer or service point, locked for an answer, or 404."""
    return await repository.get_own(session, person, referral_id)


def _check_proposed(referral: Referral) -> None:
    if referral.status != ReferralStatus.PROPOSED:
        raise NotProposed(referral.status)


def _answer(referral: Referral, principal_subject: str, answer: str, reason: str | None) -> None:
    moment = clock.now()
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


async def accept(
    session: AsyncSession, person: uuid.UUID, subject: str, referral: Referral
) -> None:
    _check_proposed(referral)
    if not await repository.consents(session, person):
        raise OwnConsentEnded()
    if person_response(referral.history) != "accepted":
        _answer(referral, subject, "accepted", None)
        await repository.flush(session)


async def decline(
    session: AsyncSession,
    person: uuid.UUID,
    subject: str,
    referral_id: uuid.UUID,
    reason: str | None,
) -> Own:
    own = await get_own(session, person, referral_id)
    referral = own[0]
    _check_proposed(referral)
    text = f"declined by the person: {reason}" if reason else "declined by the person"
    await referrals.transition(  # the bookkeeping and the one event of every move
        session,
        referral,
        ReferralStatus.DROPPED,
        by=subject,
        reason=text[:500],
        reason_code=ReferralReasonCode.PERSON_DECLINED,
        entry={"person": "declined", "reason": reason},
    )
    return own
