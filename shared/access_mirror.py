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
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, Table, Uuid, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal, Role
from shared.contracts import intake as contract

CASE_ROLES = frozenset({Role.ORG_ADMIN, Role.OPERATOR, Role.PARTNER_SYSTEM})


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
        if self.erased or principal.organization_id is None or not principal.has(*CASE_ROLES):
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


async def apply_access_changed(
    session: AsyncSession, table: Table, payload: Mapping[str, Any]
) -> None:
    change = contract.AccessChanged.model_validate(payload)
    values = {
        "beneficiary_id": change.beneficiary_id,
        "owner_organization_id": change.owner_organization_id,
        "grants": [grant.model_dump(mode="json") for grant in change.grants],
        "matching_consent": change.matching_consent,
        "version": change.version,
        "updated_at": datetime.now(UTC),
    }
    statement = insert(table).values(**values, erased=False)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.beneficiary_id],
            set_={key: statement.excluded[key] for key in values if key != "beneficiary_id"},
            where=table.c.version < statement.excluded.version,
        )
    )


async def apply_erased(
    session: AsyncSession, table: Table, payload: Mapping[str, Any]
) -> uuid.UUID:
    erased = contract.BeneficiaryErased.model_validate(payload)
    statement = insert(table).values(
        beneficiary_id=erased.beneficiary_id,
        owner_organization_id=erased.organization_id,
        grants=[],
        matching_consent=False,
        version=2**31 - 1,  # nothing after an erasure may reopen the person
        erased=True,
        updated_at=datetime.now(UTC),
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
            },
        )
    )
    return erased.beneficiary_id


async def apply_merged(
    session: AsyncSession, table: Table, payload: Mapping[str, Any]
) -> contract.BeneficiaryMerged:
    merged = contract.BeneficiaryMerged.model_validate(payload)
    await session.execute(
        table.update()
        .where(table.c.beneficiary_id == merged.merged_id)
        .values(
            merged_into=merged.survivor_id,
            grants=[],
            matching_consent=False,
            updated_at=datetime.now(UTC),
        )
    )
    return merged
