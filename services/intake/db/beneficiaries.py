"""Queries over people, scoped to what the caller may see: the 404 for "not yours" comes from
the same query as the 404 for "not there". Repositories flush; the request's session commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.access import granted, grants_on
from services.intake.db.models import AccessGrant, Beneficiary, Consent, EmergencyAccess
from services.intake.domain import access
from services.intake.domain.access import View
from services.intake.errors import BeneficiaryNotFound
from shared import clock
from shared.auth import Principal

# Merges chain (a survivor may be merged in turn); a longer chain than this is a corrupt table.
MAX_MERGE_DEPTH = 64


def readable(principal: Principal, now: datetime) -> Select[Beneficiary]:
    """The records the caller may see (any section), merged ones included: the caller's
    organisation registered them or holds an open grant on them. Never an erased record."""
    statement = select(Beneficiary).where(Beneficiary.status != "erased")
    if not access.works_on_cases(principal) or principal.organization_id is None:
        return statement.where(false())
    org = principal.organization_id
    return statement.where(or_(Beneficiary.organization_id == org, granted(org, now)))


def visible(principal: Principal, now: datetime) -> Select[Beneficiary]:
    """Active people the caller may see (any section)."""
    return readable(principal, now).where(Beneficiary.status == "active")


async def view_or_404(session: AsyncSession, principal: Principal, row: Beneficiary) -> View:
    """What the caller may see of a record already read (its sections, from its grants)."""
    if row.status == "erased":
        raise BeneficiaryNotFound
    view = access.view_of(
        principal, row.organization_id, await grants_on(session, row.id), clock.now()
    )
    if view is None:
        raise BeneficiaryNotFound
    return view


async def get_visible(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID
) -> tuple[Beneficiary, View]:
    """The record the caller may see and what of it, or 404 (not there, erased or not theirs)."""
    row = await session.scalar(
        readable(principal, clock.now()).where(Beneficiary.id == beneficiary_id)
    )
    if row is None:
        raise BeneficiaryNotFound
    return row, await view_or_404(session, principal, row)


async def any_status(
    session: AsyncSession, beneficiary_id: uuid.UUID, *, lock: bool = False
) -> Beneficiary | None:
    """The row whatever its status (merged and erased records answer differently from missing)."""
    statement = select(Beneficiary).where(Beneficiary.id == beneficiary_id)
    if lock:
        statement = statement.with_for_update()
    row: Beneficiary | None = await session.scalar(statement)
    return row


async def active_or_404(
    session: AsyncSession, beneficiary_id: uuid.UUID, *, lock: bool = False
) -> Beneficiary:
    """The active record whoever asks (the caller's right is checked by the caller)."""
    row = await any_status(session, beneficiary_id, lock=lock)
    if row is None or row.status != "active":
        raise BeneficiaryNotFound
    return row


async def fresh_for_update(session: AsyncSession, beneficiary_id: uuid.UUID) -> Beneficiary | None:
    """The row locked and read again (not from the session's identity map)."""
    row: Beneficiary | None = await session.scalar(
        select(Beneficiary)
        .where(Beneficiary.id == beneficiary_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return row


async def add(session: AsyncSession, row: Beneficiary) -> None:
    session.add(row)
    await session.flush()


async def add_many(session: AsyncSession, rows: Iterable[Beneficiary]) -> None:
    """One INSERT for all of them (a batch)."""
    columns = Beneficiary.__table__.columns
    values = [{column.key: getattr(row, column.key) for column in columns} for row in rows]
    await session.execute(insert(Beneficiary), values)


async def look_alikes(
    session: AsyncSession,
    principal: Principal,
    keys: list[str],
    *,
    other_than: uuid.UUID,
    limit: int = 50,
) -> Sequence[Beneficiary]:
    """People the caller may see who share a blocking key: never a scan of the table."""
    statement = (
        visible(principal, clock.now())
        .where(Beneficiary.blocking_keys.overlap(keys), Beneficiary.id != other_than)
        .limit(limit)
    )
    return (await session.scalars(statement)).all()


# What scoring reads of a registered person: the columns ``record.columns`` derives from the
# same fields ``person_key`` reads, so the profile (up to 100 skills...) is not loaded.
KEY_COLUMNS = (
    Beneficiary.id,
    Beneficiary.organization_id,
    Beneficiary.given_name,
    Beneficiary.family_name,
    Beneficiary.birth_date,
    Beneficiary.sex,
    Beneficiary.nationality,
    Beneficiary.country_of_birth,
    Beneficiary.blocking_keys,
)


async def keys_of_look_alikes(
    session: AsyncSession, principal: Principal, keys: list[str], limit: int
) -> Sequence[Any]:
    """The scoring columns of up to ``limit`` visible people sharing any of ``keys``."""
    statement = (
        visible(principal, clock.now())
        .where(Beneficiary.blocking_keys.overlap(keys))
        .with_only_columns(*KEY_COLUMNS)
        .limit(limit)
    )
    return (await session.execute(statement)).all()


async def registered_external_ids(
    session: AsyncSession, organization_id: uuid.UUID, external_ids: Sequence[str]
) -> dict[str, uuid.UUID]:
    """The people the organisation registered under any of ``external_ids``, by external_id
    (one index range of ``uq_beneficiary_external_id``)."""
    if not external_ids:
        return {}
    rows = await session.execute(
        select(Beneficiary.external_id, Beneficiary.id).where(
            Beneficiary.organization_id == organization_id,
            Beneficiary.external_id.in_(external_ids),
        )
    )
    return {external: id_ for external, id_ in rows.tuples() if external is not None}


async def owned_by_external_ids(
    session: AsyncSession, organization_id: uuid.UUID, external_ids: Sequence[str]
) -> dict[str, Beneficiary]:
    """The organisation's records under any of ``external_ids``, whatever their status, locked
    (in the order of their ids, so that two upserts lock alike) and read afresh."""
    if not external_ids:
        return {}
    rows = await session.scalars(
        select(Beneficiary)
        .where(
            Beneficiary.organization_id == organization_id,
            Beneficiary.external_id.in_(external_ids),
        )
        .order_by(Beneficiary.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.external_id: row for row in rows if row.external_id is not None}


async def add_unless_registered(
    session: AsyncSession, rows: Sequence[Beneficiary]
) -> set[uuid.UUID]:
    """One INSERT for the rows, in the order of their external_ids; a row whose external_id the
    organisation registered meanwhile (another transaction, which this one waited for) is left
    out. The ids inserted."""
    if not rows:
        return set()
    # Every column the rows set; one left unset in all of them gets its server default (the
    # sync's stamps, which triggers then write).
    columns = [
        column
        for column in Beneficiary.__table__.columns
        if column.server_default is None
        or any(getattr(row, column.key) is not None for row in rows)
    ]
    values = [
        {column.key: getattr(row, column.key) for column in columns}
        for row in sorted(rows, key=lambda row: row.external_id or "")
    ]
    statement = (
        pg_insert(Beneficiary)
        .values(values)
        .on_conflict_do_nothing(
            index_elements=[Beneficiary.organization_id, Beneficiary.external_id],
            index_where=text("external_id IS NOT NULL"),
        )
        .returning(Beneficiary.id)
    )
    return set((await session.scalars(statement)).all())


async def load(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Beneficiary]:
    return list((await session.scalars(select(Beneficiary).where(Beneficiary.id.in_(ids)))).all())


async def merged_records(
    session: AsyncSession, survivor_id: uuid.UUID, *, lock: bool = False
) -> list[Beneficiary]:
    """Every record merged into ``survivor_id``, directly or through another merged record."""
    found: list[Beneficiary] = []
    seen, frontier = {survivor_id}, [survivor_id]
    for _level in range(MAX_MERGE_DEPTH):
        if not frontier:
            break
        statement = (
            select(Beneficiary)
            .where(Beneficiary.merged_into.in_(frontier))
            .order_by(Beneficiary.id)
            .execution_options(populate_existing=True)
        )
        if lock:
            statement = statement.with_for_update()
        rows = [row for row in (await session.scalars(statement)).all() if row.id not in seen]
        found += rows
        frontier = [row.id for row in rows]
        seen.update(frontier)
    return found


async def move_access(session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID) -> None:
    """Who may see the person moves with them: consents, the grants they and emergency accesses
    opened, and the emergency accesses themselves (so they stay listed, closable and counted as
    the one open access of their organisation). A grant that had ended stays with the merged
    record: its organisation read that record, never the survivor, and a sync tells it of the
    record it knew (moved, it named the survivor to an organisation that may not read it)."""
    now = clock.now()
    for model in (Consent, EmergencyAccess):
        await session.execute(
            update(model)
            .where(model.beneficiary_id == merged_id)
            .values(beneficiary_id=survivor_id)
        )
    await session.execute(
        update(AccessGrant)
        .where(
            AccessGrant.beneficiary_id == merged_id,
            AccessGrant.revoked_at.is_(None),
            or_(AccessGrant.expires_at.is_(None), AccessGrant.expires_at > now),
        )
        .values(beneficiary_id=survivor_id)
    )
    await session.flush()


async def without_territory(session: AsyncSession) -> list[Beneficiary]:
    """The active records that name a municipality and no territory, locked, by id: a change
    made meanwhile waits (``SKIP LOCKED`` would leave them out of the report)."""
    found = await session.scalars(
        select(Beneficiary)
        .where(
            Beneficiary.status == "active",
            Beneficiary.territory_code.is_(None),
            Beneficiary.municipality.is_not(None),
        )
        .order_by(Beneficiary.id)
        .with_for_update()
    )
    return list(found)
