"""A service's copy of intake's access decisions, so that pathways and matching enforce the same
object-level rule as intake without calling it per request (architecture.md: "Every service
enforces this on every object it returns").

Kept from intake's ``beneficiary.access_changed`` events, which carry the whole current grant list
and a version: a newer version replaces the copy, an older or repeated one changes nothing, so
redelivery and reordering are harmless. ``beneficiary.erased`` and ``.merged`` mark the copy.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    SQLColumnExpression,
    String,
    Table,
    Uuid,
    and_,
    delete,
    exists,
    false,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, array, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import FromClause

from shared import clock
from shared.access_sync import ended_after, readers
from shared.auth import Principal
from shared.contracts import intake as contract
from shared.events.outbox import CURRENT_TRANSACTION_ID


def grant_table(metadata: MetaData) -> Table:
    """The grants of ``beneficiary_access`` as rows, so that list queries filter in SQL."""
    return Table(
        "beneficiary_grant",
        metadata,
        Column("beneficiary_id", Uuid, primary_key=True),
        Column("organization_id", Uuid, primary_key=True),
        # One organisation may hold several grants at once (a sharing consent and an emergency
        # access, each with its own sections and expiry): the grant's place in the event's list.
        Column("seq", SmallInteger, primary_key=True, autoincrement=False),
        Column("sections", ARRAY(String(16)), nullable=False),
        Column("expires_at", DateTime(timezone=True)),
        Index("ix_beneficiary_grant_organization", "organization_id", "beneficiary_id"),
    )


def access_table(metadata: MetaData) -> Table:
    return Table(
        "beneficiary_access",
        metadata,
        Column("beneficiary_id", Uuid, primary_key=True),
        Column("owner_organization_id", Uuid, nullable=False, index=True),
        Column("grants", JSONB, nullable=False),
        Column("matching_consent", Boolean, nullable=False, default=False),
        Column("version", Integer, nullable=False),
        Column("erased", Boolean, nullable=False, default=False),
        Column("merged_into", Uuid),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column(
            "sync_xact",
            BigInteger,
            server_default=text(CURRENT_TRANSACTION_ID),
            nullable=False,
            index=True,
            comment="the last transaction that wrote the row: a sync's commit order",
        ),
        Column(
            "ended_access",
            JSONB,
            server_default=text("'{}'::jsonb"),
            nullable=False,
            comment="organisation:section -> the transaction that ended its reading of the "
            "person (shared.access_sync): whom a sync tells, once",
        ),
    )


@dataclass(frozen=True)
class Access:
    beneficiary_id: uuid.UUID
    owner: uuid.UUID
    grants: tuple[Mapping[str, Any], ...]
    matching_consent: bool
    erased: bool
    merged_into: uuid.UUID | None

    def sections_for(self, principal: Principal, now: datetime) -> frozenset[str]:
        """What the caller's organisation may see of the person (empty: nothing)."""
        if self.erased or principal.organization_id is None or not principal.works_on_cases:
            return frozenset()
        if principal.organization_id == self.owner:
            return frozenset({"identity", "contact", "profile", "pathway"})
        sections: set[str] = set()
        for grant in self.grants:
            expires = grant.get("expires_at")
            if str(grant["organization_id"]) != str(principal.organization_id):
                continue
            if expires is not None and datetime.fromisoformat(str(expires)) <= now:
                continue
            sections.update(grant["sections"])
        return frozenset(sections)


async def load(
    session: AsyncSession, table: Table, beneficiary_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Access]:
    ids = list(beneficiary_ids)
    if not ids:
        return {}
    rows = await session.execute(select(table).where(table.c.beneficiary_id.in_(ids)))
    return {
        row.beneficiary_id: Access(
            beneficiary_id=row.beneficiary_id,
            owner=row.owner_organization_id,
            grants=tuple(row.grants),
            matching_consent=row.matching_consent,
            erased=row.erased,
            merged_into=row.merged_into,
        )
        for row in rows
    }


def visible_condition(
    access: FromClause,
    grants: Table,
    beneficiary_id: Any,
    principal: Principal,
    section: str | SQLColumnExpression[str],
    now: datetime,
) -> ColumnElement[bool]:
    """SQL for "the caller's organisation may see ``section`` of the person ``beneficiary_id``":
    it registered the person, or holds an unexpired grant naming the section (a name, or a
    column: the section a row is in)."""
    org = principal.organization_id
    if org is None or not principal.works_on_cases:
        return false()
    if beneficiary_id is access.c.beneficiary_id:
        # The query reads ``access`` itself: its own row decides. An EXISTS over the same table
        # is not correlated, and would ask whether the organisation owns anyone at all.
        owned: ColumnElement[bool] = and_(
            access.c.owner_organization_id == org, access.c.erased.is_(False)
        )
    else:
        owned = exists().where(
            access.c.beneficiary_id == beneficiary_id,
            access.c.owner_organization_id == org,
            access.c.erased.is_(False),
        )
    granted = exists().where(
        grants.c.beneficiary_id == beneficiary_id,
        grants.c.organization_id == org,
        grants.c.sections.contains([section] if isinstance(section, str) else array([section])),
        or_(grants.c.expires_at.is_(None), grants.c.expires_at > now),
    )
    return or_(owned, granted)


async def apply_access_changed(
    session: AsyncSession, table: Table, payload: Mapping[str, Any], grants: Table | None = None
) -> None:
    """Replace the copy when the event is newer; ``grants`` (the row form) follows it. Who stops
    reading a section is recorded (``ended_access``: a sync tells them, once)."""
    change = contract.AccessChanged.model_validate(payload)
    previous = await _locked(session, table, change.beneficiary_id)
    if previous is not None and previous.version >= change.version:
        return  # an older or repeated event: the newer copy stays, and its grants
    now = clock.now()
    granted = [grant.model_dump(mode="json") for grant in change.grants]
    values = {
        "beneficiary_id": change.beneficiary_id,
        "owner_organization_id": change.owner_organization_id,
        "grants": granted,
        "matching_consent": change.matching_consent,
        "version": change.version,
        "updated_at": now,
        "erased": False,
        "ended_access": ended_after(
            previous,
            readers(change.owner_organization_id, granted, now),
            await _current_xact(session),
        ),
    }
    statement = insert(table).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.beneficiary_id],
            set_={key: statement.excluded[key] for key in values if key != "beneficiary_id"},
            where=table.c.version < statement.excluded.version,
        )
    )
    if grants is None:
        return
    current = await session.scalar(
        select(table.c.version).where(table.c.beneficiary_id == change.beneficiary_id)
    )
    if current != change.version:
        return  # an older event: the newer grants stay
    await session.execute(delete(grants).where(grants.c.beneficiary_id == change.beneficiary_id))
    if change.grants:
        await session.execute(
            grants.insert(),
            [
                {
                    "beneficiary_id": change.beneficiary_id,
                    "organization_id": grant.organization_id,
                    "seq": seq,
                    "sections": list(grant.sections),
                    "expires_at": grant.expires_at,
                }
                for seq, grant in enumerate(change.grants)
            ],
        )


async def apply_erased(
    session: AsyncSession, table: Table, payload: Mapping[str, Any], grants: Table | None = None
) -> uuid.UUID:
    erased = contract.BeneficiaryErased.model_validate(payload)
    previous = await _locked(session, table, erased.beneficiary_id)
    ended = ended_after(previous, set(), await _current_xact(session))
    statement = insert(table).values(
        beneficiary_id=erased.beneficiary_id,
        owner_organization_id=erased.organization_id,
        grants=[],
        matching_consent=False,
        version=2**31 - 1,  # nothing after an erasure may reopen the person
        erased=True,
        updated_at=clock.now(),
        ended_access=ended,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.beneficiary_id],
            set_={
                "grants": [],
                "matching_consent": False,
                "version": 2**31 - 1,
                "erased": True,
                "updated_at": statement.excluded.updated_at,
                "ended_access": statement.excluded.ended_access,
            },
        )
    )
    if grants is not None:
        await session.execute(
            delete(grants).where(grants.c.beneficiary_id == erased.beneficiary_id)
        )
    return erased.beneficiary_id


async def apply_merged(
    session: AsyncSession, table: Table, payload: Mapping[str, Any], grants: Table | None = None
) -> contract.BeneficiaryMerged:
    merged = contract.BeneficiaryMerged.model_validate(payload)
    previous = await _locked(session, table, merged.merged_id)
    await session.execute(
        table.update()
        .where(table.c.beneficiary_id == merged.merged_id)
        .values(
            merged_into=merged.survivor_id,
            grants=[],
            matching_consent=False,
            updated_at=clock.now(),
            ended_access=ended_after(previous, set(), await _current_xact(session)),
        )
    )
    if grants is not None:
        await session.execute(delete(grants).where(grants.c.beneficiary_id == merged.merged_id))
    return merged


async def _locked(session: AsyncSession, table: Table, beneficiary_id: uuid.UUID) -> Any:
    """The copy as it is, locked until the change is applied (None: none yet)."""
    found = await session.execute(
        select(table).where(table.c.beneficiary_id == beneficiary_id).with_for_update()
    )
    return found.first()


async def _current_xact(session: AsyncSession) -> int:
    return int(await session.scalar(select(text(CURRENT_TRANSACTION_ID))) or 0)
