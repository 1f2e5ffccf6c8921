"""The GDPR rights: export everything held about a person (across the services) and erase it
everywhere. A person is a record and every record merged into it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.clients.exports import ExportClient, Part
from services.intake.db import access as grants
from services.intake.db import (
    beneficiaries,
    consents,
    documents,
    emergency,
    invitations,
    notes,
    records,
    transfers,
)
from services.intake.db.invitations import Invitation
from services.intake.db.models import (
    AccessLogEntry,
    Beneficiary,
    Change,
    Consent,
    EmergencyAccess,
    Note,
    StoredDocument,
    Transfer,
    idempotency,
)
from services.intake.domain import access
from services.intake.domain.record import erased_columns
from services.intake.errors import (
    BeneficiaryNotFound,
    ErasureForbidden,
    ExportForbidden,
    MergedMeanwhile,
)
from services.intake.service import events
from services.intake.service.beneficiaries import as_shown
from services.intake.service.merge import survivor
from services.intake.storage import FileStore
from shared import clock
from shared import idempotency as idempotency_records
from shared.auth import Principal
from shared.contracts import intake as contract


async def _erasable(session: AsyncSession, principal: Principal, found: Beneficiary) -> Beneficiary:
    """The person's record locked, read again; 404 unless the caller may see it (or, erased,
    registered it)."""
    # The survivor first, then its merged records: the order every erasure locks in.
    row = await beneficiaries.fresh_for_update(session, found.id)
    if row is None or row.status == "merged":
        raise MergedMeanwhile
    if row.status == "erased":
        if row.organization_id != principal.organization_id:
            raise BeneficiaryNotFound
    else:
        seen = await grants.grants_on(session, row.id)
        if access.view_of(principal, row.organization_id, seen, clock.now()) is None:
            raise BeneficiaryNotFound
    return row


async def erase(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, store: FileStore
) -> bool:
    """Remove the person's data here and tell the other services to do the same: the record and
    every record merged into it (a merged record's id erases the person it was merged into).
    Idempotent: False when nothing was left to erase. The statistical remainder stays
    (``record.STATISTICAL_COLUMNS``)."""
    found = await survivor(session, beneficiary_id) if access.works_on_cases(principal) else None
    if found is None:
        raise BeneficiaryNotFound
    row = await _erasable(session, principal, found)
    merged = await beneficiaries.merged_records(session, row.id, lock=True)
    people = ([row] if row.status != "erased" else []) + [
        other for other in merged if other.status != "erased"
    ]
    if not people:
        return False
    if not access.may_erase_or_export(principal, row.organization_id):
        raise ErasureForbidden
    moment = clock.now()
    stored: list[str] = []
    for person in people:
        stored += await _erase_record(session, principal, person, moment)
    # The documents' bytes go before the commit: if it then fails, the retried erasure finds
    # the person still there and erases again (a file already gone is no error).
    for key in stored:
        await store.delete(key)
    await idempotency_records.forget(session, idempotency, [person.id for person in people])
    await session.flush()
    return True


async def _erase_record(
    session: AsyncSession, principal: Principal, row: Beneficiary, moment: datetime
) -> list[str]:
    """One record's share of an erasure, with its own event (the other services erase by id);
    the storage keys of its documents, whose bytes the caller deletes."""
    for name, value in erased_columns().items():
        setattr(row, name, value)
    row.status = "erased"
    row.erased_at = moment
    row.updated_at = moment
    row.version += 1
    row.access_version += 1
    await records.forget_values(session, row.id)
    await emergency.forget_reasons(session, row.id)
    await consents.forget_text(session, row.id)
    await notes.erase(session, row.id)
    await transfers.erase(session, row.id)
    stored = await documents.erase(session, row.id)
    await grants.revoke_all(session, row.id, moment)
    await invitations.revoke_open(session, row.id, moment)
    await records.record_change(session, principal, row.id, "erased", {})
    event_id = await events.publish_returning(
        session,
        contract.ERASED,
        contract.BeneficiaryErased(beneficiary_id=row.id, organization_id=row.organization_id),
    )
    records.record_erasure(session, row.id, moment, principal.subject, event_id)
    await events.scrub(session, row.id)
    return stored


async def _exportable(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID
) -> Beneficiary:
    row = await survivor(session, beneficiary_id)
    if row is None or row.status != "active":
        raise BeneficiaryNotFound
    if not access.may_erase_or_export(principal, row.organization_id):
        if row.organization_id != principal.organization_id:
            raise BeneficiaryNotFound
        raise ExportForbidden
    return row


async def export(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    client: ExportClient,
    others: dict[str, str],
) -> dict[str, Any]:
    """Everything held about the person, here and in the other services, with a manifest: the
    record and every record merged into it (a merged record's id exports the person it was
    merged into)."""
    row = await _exportable(session, principal, beneficiary_id)
    view = access.view_of(principal, row.organization_id, [], clock.now())
    assert view is not None
    merged = await beneficiaries.merged_records(session, row.id)
    intake_part = {
        **await _held(session, row, view),
        "merged_records": [await _held(session, other, view) for other in merged],
    }
    ids = [row.id, *(other.id for other in merged)]
    others_parts = await client.parts(others, ids)
    await records.log_access(
        session,
        principal,
        ids,
        action="export",
        purpose="GET /api/v1/beneficiaries/{beneficiary_id}/export",
    )
    return _document(row, intake_part, others_parts)


def _document(row: Beneficiary, intake_part: dict[str, Any], others: list[Part]) -> dict[str, Any]:
    """The export: every service's data and the manifest of what each contributed."""
    parts: dict[str, Any] = {"intake": intake_part}
    manifest: list[dict[str, Any]] = [
        {
            "service": "intake",
            "status": "included",
            "items": {k: (len(v) if isinstance(v, list) else 1) for k, v in intake_part.items()},
        }
    ]
    for part in others:
        parts[part.service] = part.document
        manifest.append(
            {
                "service": part.service,
                "status": part.status,
                "items": {
                    k: len(v) for k, v in (part.document or {}).items() if isinstance(v, list)
                },
            }
        )
    return {
        "beneficiary_id": str(row.id),
        "generated_at": clock.now().isoformat(),
        "complete": all(item["status"] == "included" for item in manifest),
        "manifest": manifest,
        "data": parts,
    }


async def _held(session: AsyncSession, row: Beneficiary, view: access.View) -> dict[str, Any]:
    """What intake holds under one record's id, as the owner sees it."""

    async def rows(model: Any, *order: Any) -> list[dict[str, Any]]:
        found = await records.held(session, model, row.id, *order)
        return [_plain(item, model) for item in found]

    record = as_shown(row, view)
    if row.merged_into is not None:
        record["merged_into"] = str(row.merged_into)
    return {
        "record": record,
        "consents": await rows(Consent, Consent.granted_at, Consent.id),
        "history": await rows(Change, Change.id),
        "access_log": await rows(AccessLogEntry, AccessLogEntry.id),
        "emergency_accesses": await rows(EmergencyAccess, EmergencyAccess.opened_at),
        "notes": await rows(Note, Note.created_at, Note.id),
        "documents": [
            {key: value for key, value in item.items() if key != "storage_key"}
            for item in await rows(StoredDocument, StoredDocument.created_at, StoredDocument.id)
        ],
        "transfers": await rows(Transfer, Transfer.requested_at, Transfer.id),
        "invitations": [
            {key: value for key, value in item.items() if key != "code_hash"}
            for item in await rows(Invitation, Invitation.created_at)
        ],
    }


def _plain(row: Any, model: Any) -> dict[str, Any]:
    values = {}
    for column in model.__table__.columns:
        value = getattr(row, column.key)
        values[column.key] = (
            value.isoformat()
            if hasattr(value, "isoformat")
            else str(value)
            if isinstance(value, uuid.UUID)
            else value
        )
    return values
