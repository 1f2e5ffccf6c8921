"""The rows that name a place without a territory code (offers, and the read model of people),
and their codes once read from the names: for ``python -m services.matching.territories resolve``
after an import."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.models import CandidateProfile, Offer
from shared import clock


async def offers_without_code(session: AsyncSession) -> list[Any]:
    """(id, municipality) of the offers with a municipality and no code, by id."""
    rows = await session.execute(
        select(Offer.id, Offer.municipality)
        .where(Offer.territory_code.is_(None), Offer.municipality.is_not(None))
        .order_by(Offer.id)
    )
    return list(rows.all())


async def profiles_without_code(session: AsyncSession) -> list[Any]:
    """(beneficiary_id, municipality) of the people with a municipality and no code, by id."""
    municipality = CandidateProfile.profile["municipality"].astext
    rows = await session.execute(
        select(CandidateProfile.beneficiary_id, municipality.label("municipality"))
        .where(CandidateProfile.territory_code.is_(None), municipality.is_not(None))
        .order_by(CandidateProfile.beneficiary_id)
    )
    return list(rows.all())


async def set_offer_code(session: AsyncSession, ids: list[uuid.UUID], code: str) -> int:
    """The code on those of the offers still without one: a new version (their ETag changes)."""
    result = await session.execute(
        update(Offer)
        .where(Offer.id.in_(ids), Offer.territory_code.is_(None))
        .values(territory_code=code, version=Offer.version + 1, updated_at=clock.now())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def set_profile_code(session: AsyncSession, ids: list[uuid.UUID], code: str) -> int:
    result = await session.execute(
        update(CandidateProfile)
        .where(CandidateProfile.beneficiary_id.in_(ids), CandidateProfile.territory_code.is_(None))
        .values(territory_code=code)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
