"""The statements of a referrals sync (``shared.sync``). Who reads a referral
(``referrals.readable_condition``): the organisation that referred it, while it sees the person's
``profile``; the organisation that provides the offer or point it is to, always (what the person's
consent decides for it is whether the card shows, ``db.access.card_allowed``).

Items: the readable referrals written in the run; those of people whose access changed in the run
(a view opened again, a card hidden); those whose referrer's grant expired since the previous
sync (the card hides without a write). Removals, told only to the organisation that referred:
- ``beneficiary``: a person the caller may no longer see (``lost_people``, their ``profile``);
- ``referral``: a referral that leaves the caller's view while the person does not leave the list:
  the caller still provides another referral of the person (an organisation both referrer and
  provider), or the referral moved to a person the caller does not see (a merge's survivor).
A provider loses no referral: it reads its referrals whatever the consent (without the card)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    Uuid,
    and_,
    cast,
    exists,
    false,
    literal,
    null,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.matching.db.models import Referral, beneficiary_access, beneficiary_grant
from services.matching.db.referrals import readable, readable_condition
from services.matching.domain.access import SECTION, referral_sides
from shared.access_sync import lost_people
from shared.auth import Principal
from shared.sync import ORIGIN, Change, Removed, Run, in_commit_order, reason_for

BENEFICIARY, REFERRAL = "beneficiary", "referral"


def _item() -> tuple[ColumnElement[Any], ...]:
    return (
        cast(null(), String).label("removal"),
        literal(False).label("erased"),
        cast(null(), Uuid).label("merged_into"),
    )


def _items(principal: Principal, run: Run, now: datetime) -> list[Select[Any]]:
    visible = readable_condition(principal, now)
    written = select(Referral.sync_xact.label("key"), Referral.id.label("id"), *_item()).where(
        run.changed(Referral.sync_xact), visible
    )
    if run.since == ORIGIN:
        return [written]
    # Only referrals no other branch brings: one written in this run (or later) comes then.
    access = beneficiary_access.alias("changed_access")
    opened = (
        select(access.c.sync_xact.label("key"), Referral.id.label("id"), *_item())
        .select_from(access)
        .join(Referral, Referral.beneficiary_id == access.c.beneficiary_id)
        .where(run.changed(access.c.sync_xact), Referral.sync_xact < run.since.xact, visible)
    )
    grant = beneficiary_grant.alias("expired_grant")
    card_expired = exists().where(
        grant.c.beneficiary_id == Referral.beneficiary_id,
        grant.c.organization_id == Referral.organization_id,
        run.expired(grant.c.expires_at),
    )
    expired = (
        select(literal(run.until.xact, BigInteger).label("key"), Referral.id.label("id"), *_item())
        .select_from(Referral)
        .join(access, access.c.beneficiary_id == Referral.beneficiary_id)
        .where(
            card_expired,
            access.c.sync_xact < run.since.xact,  # else ``opened`` brings it
            Referral.sync_xact < run.since.xact,
            visible,
        )
    )
    return [written, opened, expired]


def _removals(principal: Principal, run: Run, now: datetime) -> list[Select[Any]]:
    as_referrer, as_provider = referral_sides(principal)
    if run.since == ORIGIN or not as_referrer:
        return []  # a first load has nothing to drop; a provider never loses a referral
    org = principal.organization_id
    # Every lost person of the run, not only those past the page's position: the exclusions
    # below ask about all of them.
    whole = dataclasses.replace(run, after=None)
    lost = lost_people(beneficiary_access, beneficiary_grant, principal, SECTION, whole, now).cte(
        "lost"
    )

    def provides(person: Any) -> ColumnElement[bool]:
        """The caller still reads a referral of ``person``, as its provider."""
        if not as_provider:
            return false()
        other = aliased(Referral, name="provided")
        return exists().where(other.beneficiary_id == person, other.provider_organization_id == org)

    people = select(
        lost.c.key,
        lost.c.id,
        literal(BENEFICIARY).label("removal"),
        lost.c.erased,
        lost.c.merged_into,
    ).where(~provides(lost.c.id))
    # A person the caller still provides for stays; its own referrals of them go one by one.
    referred = (
        select(
            lost.c.key,
            Referral.id.label("id"),
            literal(REFERRAL).label("removal"),
            lost.c.erased,
            lost.c.merged_into,
        )
        .select_from(lost)
        .join(Referral, Referral.beneficiary_id == lost.c.id)
        .where(
            provides(lost.c.id),
            Referral.organization_id == org,
            Referral.provider_organization_id != org,
            Referral.sync_xact < run.since.xact,  # one written in the run: ``moved`` below
        )
    )
    # A referral written in the run that the caller referred and reads no more, unless the
    # removal of its person says it (a person merged into it in the run: the caller may hold
    # the referral under the merged record, which no removal names).
    merged = beneficiary_access.alias("merged_access")
    told = and_(
        Referral.beneficiary_id.in_(select(lost.c.id).where(~provides(lost.c.id))),
        ~exists().where(
            merged.c.merged_into == Referral.beneficiary_id, run.changed(merged.c.sync_xact)
        ),
    )
    moved = select(
        Referral.sync_xact.label("key"),
        Referral.id.label("id"),
        literal(REFERRAL).label("removal"),
        literal(False).label("erased"),
        cast(null(), Uuid).label("merged_into"),
    ).where(
        run.changed(Referral.sync_xact),
        Referral.organization_id == org,
        ~readable_condition(principal, now),
        ~told,
    )
    branches = [people, moved]
    if as_provider:
        branches.append(referred)
    return branches


async def changes(
    session: AsyncSession, principal: Principal, run: Run, now: datetime, limit: int
) -> list[Change]:
    """At most ``limit + 1`` changes after the run's position, in commit order."""
    statement = in_commit_order(
        run, [*_items(principal, run, now), *_removals(principal, run, now)], limit
    )
    return [
        Change(
            key=row.key,
            id=row.id,
            removed=Removed(
                type=row.removal,
                id=row.id,
                reason=reason_for(row.erased, row.merged_into)
                if row.removal == BENEFICIARY
                else reason_for(row.erased, None),
                merged_into=row.merged_into if row.removal == BENEFICIARY else None,
            )
            if row.removal
            else None,
        )
        for row in await session.execute(statement)
    ]


async def readable_of(
    session: AsyncSession, principal: Principal, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Referral]:
    """The referrals ``ids`` the caller reads (with ``card_visible``), by id."""
    if not ids:
        return {}
    rows = await session.scalars(readable(principal).where(Referral.id.in_(ids)))
    return {referral.id: referral for referral in rows}
