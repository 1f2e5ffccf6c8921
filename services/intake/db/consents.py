"""Consents of a person: what they agreed to, with whom, and when they withdrew it."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.models import Consent
from services.intake.domain.enums import Purpose
from services.intake.errors import ConsentNotFound


def of_person(beneficiary_id: uuid.UUID) -> Select[Consent]:
    """The readable statement: the consents of a person the caller was allowed to reach."""
    return select(Consent).where(Consent.beneficiary_id == beneficiary_id)


async def listed(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[Consent]:
    statement = of_person(beneficiary_id).order_by(Consent.granted_at, Consent.id)
    return list((await session.scalars(statement)).all())


async def get_for_update(
    session: AsyncSession, beneficiary_id: uuid.UUID, consent_id: uuid.UUID
) -> Consent:
    consent = await session.scalar(
        of_person(beneficiary_id).where(Consent.id == consent_id).with_for_update()
    )
    if consent is None:
        raise ConsentNotFound
    return consent


async def matching_given(session: AsyncSession, beneficiary_id: uuid.UUID) -> bool:
    """Whether the person's consent to matching stands."""
    found = await session.scalar(
        select(Consent.id)
        .where(
            Consent.beneficiary_id == beneficiary_id,
            Consent.purpose == Purpose.MATCHING,
            Consent.withdrawn_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


def add(session: AsyncSession, consent: Consent) -> None:
    session.add(consent)


async def forget_text(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    """A consent's text version is free text: an operator may have written a name into it. The
    consents stay (what was agreed to when, and withdrawn), as the accountability record."""
    await session.execute(
        update(Consent)
        .where(Consent.beneficiary_id == beneficiary_id)
        .values(text_version="[erased]")
    )
