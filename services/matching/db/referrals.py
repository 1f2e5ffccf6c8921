"""The referrals repository: every statement on ``referral``. Readable referrals: the referring
organisation's (while it may see the person) and the provider's, each row with ``card_visible``;
the person's own (self-service) apart."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, not_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import with_expression

from services.matching.db import pages
from services.matching.db.access import card_allowed, consent_active, person_visible
from services.matching.db.cluster_tables import ServicePoint
from services.matching.db.models import Offer, Referral, beneficiary_access, beneficiary_grant
from services.matching.domain.access import referral_sides
from services.matching.domain.referrals import ACTIVE
from services.matching.errors import AlreadyReferred, ReferralNotFound
from shared import clock
from shared.auth import Principal


def readable_condition(principal: Principal, now: datetime) -> ColumnElement[bool]:
    """A referral row the caller reads: its organisation referred it (while it may see the
    person's ``profile`` at ``now``), or provides what it is to."""
    as_referrer, as_provider = referral_sides(principal)
    conditions: list[ColumnElement[bool]] = []
    if as_referrer:
        conditions.append(
            and_(
                Referral.organization_id == principal.organization_id,
                person_visible(principal, Referral.beneficiary_id, now),
            )
        )
    if as_provider:
        conditions.append(Referral.provider_organization_id == principal.organization_id)
    return or_(*conditions) if conditions else false()


def readable(principal: Principal) -> Select[Referral]:
    """The referrer's organisation (while it may see the person) and the provider's; each row
    with ``card_visible``."""
    now = clock.now()
    return (
        select(Referral)
        .options(with_expression(Referral.card_visible, card_allowed(now)))
        .where(readable_condition(principal, now))
    )


async def get_readable(
    session: AsyncSession, principal: Principal, referral_id: uuid.UUID, *, lock: bool = False
) -> Referral:
    statement = readable(principal).where(Referral.id == referral_id)
    if lock:
        statement = statement.with_for_update(of=Referral)
    referral: Referral | None = await session.scalar(statement)
    if referral is None:
        raise ReferralNotFound()
    return referral


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    referral_status: str | None,
    offer_id: uuid.UUID | None,
    service_point_id: uuid.UUID | None = None,
    beneficiary_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
    ids: tuple[uuid.UUID, ...] | None = None,
) -> tuple[list[Referral], str | None]:
    """Oldest first (ids are random): (created_at, id) is unique and indexed."""
    statement = readable(principal)
    if ids is not None:
        statement = statement.where(Referral.id.in_(ids))
    if referral_status is not None:
        statement = statement.where(Referral.status == referral_status)
    if offer_id is not None:
        statement = statement.where(Referral.offer_id == offer_id)
    if service_point_id is not None:
        statement = statement.where(Referral.service_point_id == service_point_id)
    if beneficiary_id is not None:
        statement = statement.where(Referral.beneficiary_id == beneficiary_id)
    order = (Referral.created_at, Referral.id)
    return await pages.page(session, statement, order, cursor, limit)


async def add(session: AsyncSession, referral: Referral) -> None:
    session.add(referral)
    try:
        await session.flush()
    except IntegrityError as error:
        raise AlreadyReferred() from error


async def flush(session: AsyncSession) -> None:
    await session.flush()


# The person's referral with its offer, or its service point.
Own = tuple[Referral, Offer | None, ServicePoint | None]


def _own(person: uuid.UUID) -> Select[Referral, Offer, ServicePoint]:
    """The person's referrals, while the person is known here and not erased or merged away."""
    access = beneficiary_access.c
    live = exists().where(
        access.beneficiary_id == person, access.erased.is_(False), access.merged_into.is_(None)
    )
    return (
        select(Referral, Offer, ServicePoint)
        .outerjoin(Offer, Offer.id == Referral.offer_id)
        .outerjoin(ServicePoint, ServicePoint.id == Referral.service_point_id)
        .where(Referral.beneficiary_id == person, live)
    )


async def own(session: AsyncSession, person: uuid.UUID, status: str | None) -> list[Own]:
    statement = _own(person).order_by(Referral.created_at.desc(), Referral.id)
    if status is not None:
        statement = statement.where(Referral.status == status)
    return [(row[0], row[1], row[2]) for row in (await session.execute(statement)).all()]


async def get_own(session: AsyncSession, person: uuid.UUID, referral_id: uuid.UUID) -> Own:
    """The person's referral and its offer or service point, locked, or 404."""
    row = (
        await session.execute(
            _own(person).where(Referral.id == referral_id).with_for_update(of=Referral)
        )
    ).first()
    if row is None:
        raise ReferralNotFound()
    return row[0], row[1], row[2]


async def consents(session: AsyncSession, person: uuid.UUID) -> bool:
    """The person's consent to matching is active (and the record live)."""
    return bool(await session.scalar(select(consent_active(person))))


async def of_person(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[Referral]:
    """Every referral of the person, by id (the GDPR export)."""
    rows = await session.scalars(
        select(Referral).where(Referral.beneficiary_id == beneficiary_id).order_by(Referral.id)
    )
    return list(rows.all())


async def unseen(
    session: AsyncSession,
    beneficiary_ids: Collection[uuid.UUID],
    moment: datetime,
    *,
    skip_locked: bool,
) -> list[tuple[Referral, bool]]:
    """These people's referrals that may no longer show the person and still do or are active,
    locked, each with whether the person's consent to matching is active."""
    statement = (
        select(Referral, consent_active(Referral.beneficiary_id))
        .where(
            Referral.beneficiary_id.in_(list(beneficiary_ids)),
            not_(card_allowed(moment)),
            or_(
                Referral.status.in_(ACTIVE),
                Referral.person_card.is_not(None),
                Referral.match.is_not(None),
                Referral.note.is_not(None),
            ),
        )
        .order_by(Referral.id)
        .with_for_update(of=Referral, skip_locked=skip_locked)
    )
    return [(referral, bool(consented)) for referral, consented in await session.execute(statement)]


async def of_person_locked(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[Referral]:
    rows = await session.scalars(
        select(Referral).where(Referral.beneficiary_id == beneficiary_id).with_for_update()
    )
    return list(rows.all())


async def merged_duplicates(
    session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID
) -> list[Referral]:
    """The merged record's active referrals to offers (or service points) the survivor has an
    active one to."""
    survivors = (Referral.beneficiary_id == survivor_id, Referral.status.in_(ACTIVE))
    rows = await session.scalars(
        select(Referral)
        .where(
            Referral.beneficiary_id == merged_id,
            Referral.status.in_(ACTIVE),
            or_(
                Referral.offer_id.in_(select(Referral.offer_id).where(*survivors)),
                Referral.service_point_id.in_(
                    select(Referral.service_point_id).where(
                        *survivors, Referral.service_point_id.is_not(None)
                    )
                ),
            ),
        )
        .order_by(Referral.id)
        .with_for_update()
    )
    return list(rows.all())


async def repoint(session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID) -> None:
    await session.execute(
        update(Referral)
        .where(Referral.beneficiary_id == merged_id)
        .values(beneficiary_id=survivor_id)
        .execution_options(synchronize_session=False)
    )


async def people_with_expired_grants(session: AsyncSession, moment: datetime) -> list[Any]:
    rows = await session.scalars(
        select(beneficiary_grant.c.beneficiary_id)
        .where(beneficiary_grant.c.expires_at <= moment)
        .distinct()
    )
    return list(rows.all())
