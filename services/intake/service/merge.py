"""Merging duplicates: the merged record keeps its history and answers with a pointer; who may
see the person moves to the survivor; the other services repoint their references (event)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import beneficiaries, documents, notes, records
from services.intake.db.models import Beneficiary
from services.intake.domain import access
from services.intake.domain.access import View
from services.intake.errors import (
    BeneficiaryNotFound,
    FieldRefused,
    MergeChainTooLong,
    OnlyActiveRecordsMerge,
)
from services.intake.service import events, transfers
from services.intake.service.consents import announce
from shared import clock
from shared.auth import Principal
from shared.contracts import intake as contract


async def _locked_pair(
    session: AsyncSession, principal: Principal, survivor_id: uuid.UUID, merged_id: uuid.UUID
) -> tuple[Beneficiary, Beneficiary]:
    """Both records, locked in one order (no deadlock); 404 unless the caller changes both."""
    rows = {}
    for beneficiary_id in sorted([survivor_id, merged_id]):
        row = await beneficiaries.any_status(session, beneficiary_id, lock=True)
        if (
            row is None
            or row.status == "erased"
            or not access.may_change(principal, row.organization_id)
        ):
            raise BeneficiaryNotFound
        rows[beneficiary_id] = row
    return rows[survivor_id], rows[merged_id]


async def merge(
    session: AsyncSession, principal: Principal, survivor_id: uuid.UUID, merged_id: uuid.UUID
) -> tuple[Beneficiary, View]:
    """Fold ``merged_id`` into ``survivor_id``: both must be the caller's organisation's. The
    survivor as the caller sees it afterwards."""
    if survivor_id == merged_id:
        raise FieldRefused(
            "A record cannot be merged into itself.", "merged_id", "is the survivor", "self"
        )
    survivor, merged = await _locked_pair(session, principal, survivor_id, merged_id)
    if survivor.status != "active" or merged.status != "active":
        raise OnlyActiveRecordsMerge
    merged.status = "merged"
    merged.merged_into = survivor.id
    merged.updated_at = clock.now()
    merged.search_prefixes = []
    merged.blocking_keys = []
    await beneficiaries.move_access(session, merged.id, survivor.id)
    await notes.move(session, merged.id, survivor.id)  # casework follows the person
    await documents.move(session, merged.id, survivor.id)
    await transfers.cancel_for_merge(session, principal, merged, survivor)
    await records.record_change(
        session, principal, merged.id, "merged_into", {"survivor_id": str(survivor.id)}
    )
    await records.record_change(
        session, principal, survivor.id, "merged_from", {"merged_id": str(merged.id)}
    )
    await events.publish(
        session,
        contract.MERGED,
        contract.BeneficiaryMerged(
            merged_id=merged.id, survivor_id=survivor.id, organization_id=survivor.organization_id
        ),
    )
    await announce(session, survivor)  # the survivor now carries the merged record's consents
    return await beneficiaries.get_visible(session, principal, survivor.id)


async def survivor(session: AsyncSession, beneficiary_id: uuid.UUID) -> Beneficiary | None:
    """The record a person is now: a merged id leads to the record it was merged into (following
    a chain of merges); any other record is itself."""
    row = await beneficiaries.any_status(session, beneficiary_id)
    for _hop in range(beneficiaries.MAX_MERGE_DEPTH):
        if row is None or row.status != "merged" or row.merged_into is None:
            return row
        row = await beneficiaries.any_status(session, row.merged_into)
    raise MergeChainTooLong
