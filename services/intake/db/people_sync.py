"""The statements of a sync of people (``GET /api/v1/beneficiaries?since=``, ``shared.sync``).

A person is written (its ``sync_xact`` stamped) by every write of the record and of a consent or
a grant on them (triggers), so one range of commit order brings what the caller may see that
changed, a person a consent just opened included. What the caller must drop comes once, in the
run it happened: an erasure or a merge (to every organisation that could ever read the person:
``former_readers``), a grant revoked (``ended_xact``) or expired (the run's moment window), a
transfer accepted away from the caller's organisation. Each branch is an index range, limited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    Uuid,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.intake.db.access import active_grant, granted, shared_with
from services.intake.db.models import AccessGrant, Beneficiary, Consent, Transfer
from shared.sync import ORIGIN, Change, RemovedReason, Run, in_commit_order, person_change


def _item(key: Any) -> Select[Any]:
    return select(
        key.label("key"),
        Beneficiary.id.label("id"),
        cast(null(), String).label("removal"),
        cast(null(), Uuid).label("merged_into"),
    )


def _may_see(org: uuid.UUID, now: datetime) -> ColumnElement[bool]:
    return and_(
        Beneficiary.status == "active",
        or_(Beneficiary.organization_id == org, granted(org, now)),
    )


def _survivor_seen(org: uuid.UUID, now: datetime) -> ColumnElement[bool]:
    """The record a merged one became is one the caller may see (else ``merged_into`` is null:
    an id it never read would be news)."""
    survivor = aliased(Beneficiary)
    return exists().where(
        survivor.id == Beneficiary.merged_into,
        survivor.status == "active",
        or_(
            survivor.organization_id == org,
            exists().where(
                AccessGrant.beneficiary_id == survivor.id,
                AccessGrant.organization_id == org,
                active_grant(now),
            ),
        ),
    )


def _withdrawn(org: uuid.UUID, run: Run, now: datetime) -> Select[Any]:
    """The people whose access by ``org`` ended in the run, each once (at its first end): a grant
    revoked, a grant expired between the previous sync's moment and this one's, a transfer
    accepted away from ``org``; if the caller may not see them now. Erased and merged records
    are told by ``gone``."""
    revoked = select(
        AccessGrant.ended_xact.label("key"), AccessGrant.beneficiary_id.label("id")
    ).where(AccessGrant.organization_id == org, run.changed(AccessGrant.ended_xact))
    expired = select(
        literal(run.until.xact, BigInteger).label("key"), AccessGrant.beneficiary_id.label("id")
    ).where(
        AccessGrant.organization_id == org,
        run.expired(AccessGrant.expires_at),
        or_(AccessGrant.revoked_at.is_(None), AccessGrant.revoked_at > AccessGrant.expires_at),
    )
    transferred = select(
        Transfer.sync_xact.label("key"), Transfer.beneficiary_id.label("id")
    ).where(
        Transfer.from_organization_id == org,
        Transfer.status == "accepted",
        run.changed(Transfer.sync_xact),
    )
    ended = union_all(revoked, expired, transferred).subquery()
    first = (
        select(func.min(ended.c.key).label("key"), ended.c.id.label("id"))
        .group_by(ended.c.id)
        .subquery()
    )
    return (
        select(
            first.c.key,
            first.c.id,
            literal(RemovedReason.WITHDRAWN.value, String).label("removal"),
            cast(null(), Uuid).label("merged_into"),
        )
        .join(Beneficiary, Beneficiary.id == first.c.id)
        .where(Beneficiary.status == "active", ~_may_see(org, now))
    )


def gone(org: uuid.UUID, run: Run, now: datetime) -> Select[Any]:
    """Erased and merged records written in the run, to whoever could ever read them."""
    return select(
        Beneficiary.sync_xact.label("key"),
        Beneficiary.id.label("id"),
        case(
            (Beneficiary.status == "erased", RemovedReason.ERASED.value),
            else_=RemovedReason.MERGED.value,
        ).label("removal"),
        case((_survivor_seen(org, now), Beneficiary.merged_into), else_=null()).label(
            "merged_into"
        ),
    ).where(
        run.changed(Beneficiary.sync_xact),
        Beneficiary.status != "active",
        Beneficiary.former_readers.contains([org]),
    )


def _statement(org: uuid.UUID, run: Run, now: datetime, limit: int) -> Select[Any]:
    active = Beneficiary.status == "active"
    mine = _item(Beneficiary.sync_xact).where(
        Beneficiary.organization_id == org, run.changed(Beneficiary.sync_xact), active
    )
    shared = _item(Beneficiary.sync_xact).where(
        Beneficiary.id.in_(shared_with(org, now)),
        Beneficiary.organization_id != org,
        run.changed(Beneficiary.sync_xact),
        active,
    )
    branches = [mine, shared]
    if run.since != ORIGIN:  # a first load has nothing to drop
        branches += [gone(org, run, now), _withdrawn(org, run, now)]
    return in_commit_order(run, branches, limit)


async def changes(
    session: AsyncSession, org: uuid.UUID, run: Run, now: datetime, limit: int
) -> list[Change]:
    """At most ``limit + 1`` changes after the run's position, in commit order."""
    return as_changes(await session.execute(_statement(org, run, now, limit)))


def as_changes(rows: Iterable[Any]) -> list[Change]:
    """A sync page's rows (``key, id, removal, merged_into``) as changes: intake's syncs alike."""
    return [
        person_change(
            row.key,
            row.id,
            RemovedReason(row.removal) if row.removal is not None else None,
            row.merged_into,
        )
        for row in rows
    ]


async def consents_of(
    session: AsyncSession, beneficiary_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Consent]]:
    """The consents of each person, withdrawn ones included, oldest first: one statement."""
    found: dict[uuid.UUID, list[Consent]] = {id_: [] for id_ in beneficiary_ids}
    if not beneficiary_ids:
        return found
    for consent in await session.scalars(
        select(Consent)
        .where(Consent.beneficiary_id.in_(beneficiary_ids))
        .order_by(Consent.granted_at, Consent.id)
    ):
        found[consent.beneficiary_id].append(consent)
    return found
