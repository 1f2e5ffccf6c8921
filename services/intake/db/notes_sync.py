"""The statements of a case-notes feed (``GET /api/v1/notes?since=``, ``shared.sync``).

A note is readable by the caller now exactly as the per-person list reads it (``db/notes.py``,
``domain/notes.py``): the person is active, and the caller's organisation registered them or holds
an active grant (a consent's or an emergency access's) that opens the note's section.

Branches, each an index range of commit order limited to the page:

* written: the notes written in the run the caller may read now (``ix_note_sync``);
* opened: the notes of a person the caller was just given access to (a grant written in the run,
  ``ix_access_grant_org_sync``; a transfer received, ``ix_transfer_to_sync``), in the grant's
  sections, only those no run brings as written (``Note.sync_xact < run.since.xact``), each once;
* gone: an erasure or a merge, told as the people's sync tells it (``people_sync.gone``);
* lost: a person some of whose notes the caller could read and may no longer (a grant revoked or
  expired, a transfer away), told as ``{type: beneficiary}`` (never naming a note) at the position
  just before the loss, then the person's notes it may still read re-sent at the loss: a client
  that drops the person and applies what follows holds exactly what it may read.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    Uuid,
    and_,
    any_,
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

from services.intake.db.models import AccessGrant, Beneficiary, Note, Transfer
from services.intake.db.people_sync import as_changes, gone
from shared.sync import ORIGIN, Change, RemovedReason, Run, in_commit_order


def readable(org: uuid.UUID, now: datetime, note: Any = Note, person: Any = Beneficiary) -> Any:
    """``note`` (of ``person``) is one the organisation may read now."""
    grant = aliased(AccessGrant)
    return and_(
        person.status == "active",
        or_(
            person.organization_id == org,
            exists().where(
                grant.beneficiary_id == person.id,
                grant.organization_id == org,
                grant.revoked_at.is_(None),
                or_(grant.expires_at.is_(None), grant.expires_at > now),
                note.section == any_(grant.sections),
            ),
        ),
    )


def _item(key: Any, id_: Any = Note.id) -> Select[Any]:
    return select(
        key.label("key"),
        id_.label("id"),
        cast(null(), String).label("removal"),
        cast(null(), Uuid).label("merged_into"),
    )


def _written(org: uuid.UUID, run: Run, now: datetime) -> Select[Any]:
    return (
        _item(Note.sync_xact)
        .join(Beneficiary, Beneficiary.id == Note.beneficiary_id)
        .where(run.changed(Note.sync_xact), readable(org, now))
    )


def _opened(org: uuid.UUID, run: Run, now: datetime) -> Select[Any]:
    """Notes of people the caller was just given access to, written before the run (the rest
    come as written), each once (two grants in one run open a note once)."""
    grant = aliased(AccessGrant, name="opened_grant")
    by_grant = (
        select(grant.sync_xact.label("key"), Note.id.label("id"))
        .join(Note, Note.beneficiary_id == grant.beneficiary_id)
        .join(Beneficiary, Beneficiary.id == Note.beneficiary_id)
        .where(
            grant.organization_id == org,
            run.changed(grant.sync_xact),
            grant.revoked_at.is_(None),
            Note.section == any_(grant.sections),
            Note.sync_xact < run.since.xact,
            readable(org, now),
        )
    )
    by_transfer = (
        select(Transfer.sync_xact.label("key"), Note.id.label("id"))
        .join(Note, Note.beneficiary_id == Transfer.beneficiary_id)
        .join(Beneficiary, Beneficiary.id == Note.beneficiary_id)
        .where(
            Transfer.to_organization_id == org,
            Transfer.status == "accepted",
            run.changed(Transfer.sync_xact),
            Note.sync_xact < run.since.xact,
            readable(org, now),
        )
    )
    every = union_all(by_grant, by_transfer).subquery()
    first = (
        select(func.min(every.c.key).label("key"), every.c.id.label("id"))
        .group_by(every.c.id)
        .subquery()
    )
    return _item(first.c.key, first.c.id)


def _lost_note(org: uuid.UUID, now: datetime, person: Any, *before: Any) -> ColumnElement[bool]:
    """``person`` has a note, as ``before`` narrows it (one the caller could read until its
    access ended), that the caller may not read now."""
    note, owner = aliased(Note), aliased(Beneficiary)
    return exists().where(
        note.beneficiary_id == person,
        owner.id == note.beneficiary_id,
        *(condition(note) for condition in before),
        ~readable(org, now, note, owner),
    )


def _lost(org: uuid.UUID, run: Run, now: datetime) -> Any:
    """The people some of whose notes the caller lost in the run, each at its first loss: a
    grant revoked or expired (the notes of its sections written while it was open), a transfer
    accepted away (every note written before)."""
    grant = AccessGrant
    revoked = select(grant.ended_xact.label("key"), grant.beneficiary_id.label("id")).where(
        grant.organization_id == org,
        run.changed(grant.ended_xact),
        _lost_note(
            org,
            now,
            grant.beneficiary_id,
            lambda note: note.section == any_(grant.sections),
            lambda note: note.sync_xact < grant.ended_xact,
        ),
    )
    expired = select(
        literal(run.until.xact, BigInteger).label("key"), grant.beneficiary_id.label("id")
    ).where(
        grant.organization_id == org,
        run.expired(grant.expires_at),
        or_(grant.revoked_at.is_(None), grant.revoked_at > grant.expires_at),
        _lost_note(
            org,
            now,
            grant.beneficiary_id,
            lambda note: note.section == any_(grant.sections),
            lambda note: note.created_at < grant.expires_at,
        ),
    )
    transferred = select(
        Transfer.sync_xact.label("key"), Transfer.beneficiary_id.label("id")
    ).where(
        Transfer.from_organization_id == org,
        Transfer.status == "accepted",
        run.changed(Transfer.sync_xact),
        _lost_note(
            org, now, Transfer.beneficiary_id, lambda note: note.sync_xact < Transfer.sync_xact
        ),
    )
    ended = union_all(revoked, expired, transferred).subquery()
    return (
        select(func.min(ended.c.key).label("key"), ended.c.id.label("id"))
        .group_by(ended.c.id)
        .subquery()
    )


def _statement(org: uuid.UUID, run: Run, now: datetime, limit: int) -> Select[Any]:
    branches = [_written(org, run, now)]
    if run.since != ORIGIN:  # a first load brings every note as written, and drops nothing
        lost = _lost(org, run, now)
        told = select(
            (lost.c.key - 1).label("key"),  # just before what is re-sent at the loss
            lost.c.id,
            literal(RemovedReason.WITHDRAWN.value, String).label("removal"),
            cast(null(), Uuid).label("merged_into"),
        )
        still = (
            _item(lost.c.key)
            .select_from(lost)
            .join(Note, Note.beneficiary_id == lost.c.id)
            .join(Beneficiary, Beneficiary.id == Note.beneficiary_id)
            .where(Note.sync_xact < lost.c.key, readable(org, now))
        )
        branches += [_opened(org, run, now), gone(org, run, now), told, still]
    return in_commit_order(run, branches, limit)


async def changes(
    session: AsyncSession, org: uuid.UUID, run: Run, now: datetime, limit: int
) -> list[Change]:
    """At most ``limit + 1`` changes after the run's position, in commit order."""
    return as_changes(await session.execute(_statement(org, run, now, limit)))


async def load(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Note]:
    """The notes ``ids`` that still exist (an erasure may have taken some since the page)."""
    if not ids:
        return {}
    return {note.id: note for note in await session.scalars(select(Note).where(Note.id.in_(ids)))}
