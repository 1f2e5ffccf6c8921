"""The referral report's statement: the referrals an organisation made (or, as a provider,
received) that were rejected or dropped in a period, counted per status, reason and target in SQL
(one row per inner cell of the report's table, whatever the caseload)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.models import Offer, Referral
from services.matching.domain.referrals import NEEDS_REASON

Side = Literal["referrer", "provider"]
# Ended without completion: the moves that need a reason (rejected, dropped)
ENDED = sorted(status.value for status in NEEDS_REASON)
UNCODED = "uncoded"  # ended with a party's words only
SERVICE_POINT = "service_point"  # a referral to a service point, not to an offer


@dataclass(frozen=True)
class ReferralScope:
    organization_id: uuid.UUID | None  # None: every organisation (platform admins)
    side: Side
    date_from: date
    date_to: date


async def ended(
    session: AsyncSession, scope: ReferralScope
) -> list[tuple[tuple[str, str, str], int]]:
    """((status, reason code or "uncoded", offer type or "service_point"), referrals) of the
    referrals rejected or dropped (their last move) in the period."""
    start = datetime.combine(scope.date_from, time.min, tzinfo=UTC)
    end = datetime.combine(scope.date_to, time.max, tzinfo=UTC)
    reason = func.coalesce(Referral.reason_code, UNCODED)
    target = func.coalesce(Offer.type, SERVICE_POINT)
    statement = (
        select(Referral.status, reason, target, func.count())
        .outerjoin(Offer, Offer.id == Referral.offer_id)
        .where(Referral.status.in_(ENDED), Referral.updated_at.between(start, end))
        .group_by(Referral.status, reason, target)
    )
    if scope.organization_id is not None:
        party = (
            Referral.organization_id
            if scope.side == "referrer"
            else Referral.provider_organization_id
        )
        statement = statement.where(party == scope.organization_id)
    rows = (await session.execute(statement)).all()
    return [((status, code, kind), int(count)) for status, code, kind, count in rows]
