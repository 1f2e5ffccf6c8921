"""Merging duplicates, and the GDPR rights: export everything held about a person (across the
services) and erase it everywhere."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import repository
from services.intake.db.invitations import Invitation
from services.intake.db.models import (
    AccessGrant,
    AccessLogEntry,
    Beneficiary,
    Change,
    Consent,
    EmergencyAccess,
    Erasure,
    idempotency,
)
from services.intake.domain import access
from services.intake.domain.record import erased_columns
from services.intake.service import events, invitations
from services.intake.service.beneficiaries import as_shown, now
from services.intake.service.consents import announce
from shared import idempotency as idempotency_records
from shared.auth import Principal
from shared.contracts import intake as contract
from shared.errors import Conflict, FieldError, Forbidden, NotFound, UnprocessableContent


async def merge(
    session: AsyncSession, principal: Principal, survivor_id: uuid.UUID, merged_id: uuid.UUID
) -> Beneficiary:
    """Fold ``merged_id`` into ``survivor_id``: both must be the caller's organisation's. The
    merged record keeps its history and answers with a pointer; consents move to the survivor;
    the other services repoint their references (event)."""
    if survivor_id == merged_id:
        raise UnprocessableContent(
            "A record cannot be merged into itself.",
            errors=[FieldError(field="body.merged_id", message="is the survivor", code="self")],
        )
    first, second = sorted([survivor_id, merged_id])  # lock in one order: no deadlock
    rows = {}
    for beneficiary_id in (first, second):
        row = await repository.any_status(session, beneficiary_id, lock=True)
        if (
            row is None
            or row.status == "erased"
            or not access.may_change(principal, row.organization_id)
        ):
            raise NotFound("No such person.")
        rows[beneficiary_id] = row
    survivor, merged = rows[survivor_id], rows[merged_id]
    if survivor.status != "active" or merged.status != "active":
        raise Conflict("Only active records merge.")
    moment = now()
    merged.status = "merged"
    merged.merged_into = survivor.id
    merged.updated_at = moment
    merged.search_prefixes = []
    merged.blocking_keys = []
    # Who may see the person moves with them: consents, the grants they and emergency accesses
    # opened, and the emergency accesses themselves (so they stay listed, closable and counted
    # as the one open access of their organisation).
    for model in (Consent, AccessGrant, EmergencyAccess):
        await session.execute(
            update(model)
            .where(model.beneficiary_id == merged.id)
            .values(beneficiary_id=survivor.id)
        )
    await session.flush()
    await repository.record_change(
        session, principal, merged.id, "merged_into", {"survivor_id": str(survivor.id)}
    )
    await repository.record_change(
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
    return survivor


# Merges chain (a survivor may be merged in turn); a longer chain than this is a corrupt table.
MAX_MERGE_DEPTH = 64


async def _survivor(session: AsyncSession, beneficiary_id: uuid.UUID) -> Beneficiary | None:
    """The record a person is now: a merged id leads to the record it was merged into (following
    a chain of merges); any other record is itself."""
    row = await repository.any_status(session, beneficiary_id)
    for _hop in range(MAX_MERGE_DEPTH):
        if row is None or row.status != "merged" or row.merged_into is None:
            return row
        row = await repository.any_status(session, row.merged_into)
    raise Conflict("The record's merges form too long a chain.")


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


async def erase(session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID) -> bool:
    """Remove the person's data here and tell the other services to do the same: the record and
    every record merged into it (a merged record's id erases the person it was merged into).
    Idempotent: False when nothing was left to erase. The statistical remainder stays
    (``record.STATISTICAL_COLUMNS``)."""
    found = await _survivor(session, beneficiary_id) if access.works_on_cases(principal) else None
    if found is None:
        raise NotFound("No such person.")
    # The survivor first, then its merged records: the order every erasure locks in.
    row = await session.scalar(
        select(Beneficiary)
        .where(Beneficiary.id == found.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None or row.status == "merged":
        raise Conflict("The record was merged meanwhile; try again.")
    if row.status == "erased":
        if row.organization_id != principal.organization_id:
            raise NotFound("No such person.")
    else:
        grants = (await repository.grants_of(session, [row.id])).get(row.id, [])
        if access.view_of(principal, row.organization_id, grants, now()) is None:
            raise NotFound("No such person.")
    merged = [m for m in await merged_records(session, row.id, lock=True) if m.status != "erased"]
    people = ([row] if row.status != "erased" else []) + merged
    if not people:
        return False
    if not access.may_erase_or_export(principal, row.organization_id):
        raise Forbidden("Erasure is requested by the registering organisation's org admin.")
    moment = now()
    for person in people:
        await _erase_record(session, principal, person, moment)
    await idempotency_records.forget(session, idempotency, [person.id for person in people])
    await session.flush()
    return True


async def _erase_record(
    session: AsyncSession, principal: Principal, row: Beneficiary, moment: datetime
) -> None:
    """One record's share of an erasure, with its own event (the other services erase by id)."""
    for name, value in erased_columns().items():
        setattr(row, name, value)
    row.status = "erased"
    row.erased_at = moment
    row.updated_at = moment
    row.version += 1
    row.access_version += 1
    # The audit trail keeps who did what when; the values go.
    changes = (await session.scalars(select(Change).where(Change.beneficiary_id == row.id))).all()
    for change in changes:
        change.changes = {"fields": sorted(change.changes)} if change.action == "updated" else {}
    await session.execute(
        update(EmergencyAccess)
        .where(EmergencyAccess.beneficiary_id == row.id)
        .values(reason="[erased]")
    )
    # A consent's text version is free text: an operator may have written a name into it. The
    # consents stay (what was agreed to when, and withdrawn), as the accountability record.
    await session.execute(
        update(Consent).where(Consent.beneficiary_id == row.id).values(text_version="[erased]")
    )
    await session.execute(
        update(AccessGrant)
        .where(AccessGrant.beneficiary_id == row.id, AccessGrant.revoked_at.is_(None))
        .values(revoked_at=moment)
    )
    await invitations.revoke_open(session, row.id, moment)
    await repository.record_change(session, principal, row.id, "erased", {})
    event_id = await events.publish_returning(
        session,
        contract.ERASED,
        contract.BeneficiaryErased(beneficiary_id=row.id, organization_id=row.organization_id),
    )
    session.add(
        Erasure(
            beneficiary_id=row.id,
            requested_at=moment,
            requested_by=principal.subject,
            event_id=event_id,
        )
    )
    await events.scrub(session, row.id)


async def export(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    http: httpx.AsyncClient,
    others: dict[str, str],
    internal_token: str,
) -> dict[str, Any]:
    """Everything held about the person, here and in the other services, with a manifest: the
    record and every record merged into it (a merged record's id exports the person it was
    merged into)."""
    row = await _survivor(session, beneficiary_id)
    if row is None or row.status != "active":
        raise NotFound("No such person.")
    if not access.may_erase_or_export(principal, row.organization_id):
        raise (
            NotFound("No such person.")
            if row.organization_id != principal.organization_id
            else Forbidden("Exports are requested by the registering organisation's org admin.")
        )
    view = access.view_of(principal, row.organization_id, [], now())
    assert view is not None
    merged = await merged_records(session, row.id)
    intake_part = {
        **await _held(session, row, view),
        "merged_records": [await _held(session, other, view) for other in merged],
    }
    parts: dict[str, Any] = {"intake": intake_part}
    manifest: list[dict[str, Any]] = [
        {
            "service": "intake",
            "status": "included",
            "items": {k: (len(v) if isinstance(v, list) else 1) for k, v in intake_part.items()},
        }
    ]
    ids = [row.id, *(other.id for other in merged)]

    async def fetch(service: str, base_url: str) -> tuple[str, dict[str, list[Any]] | None, str]:
        """The service's part for every id of the person, list by list."""
        try:
            answers = await asyncio.gather(
                *(
                    http.get(
                        f"{base_url}/internal/beneficiaries/{id_}/export",
                        headers={"Authorization": f"Bearer {internal_token}"},
                        timeout=10.0,
                    )
                    for id_ in ids
                )
            )
            document: dict[str, list[Any]] = {}
            for answer in answers:
                answer.raise_for_status()
                body = answer.json()
                if not isinstance(body, dict):
                    raise ValueError("not an export document")
                for key, value in body.items():
                    document.setdefault(key, []).extend(
                        value if isinstance(value, list) else [value]
                    )
            return service, document, "included"
        except (httpx.HTTPError, ValueError) as error:
            return service, None, f"unavailable ({type(error).__name__})"

    for service, document, status in await asyncio.gather(
        *(fetch(name, url) for name, url in others.items())
    ):
        parts[service] = document
        manifest.append(
            {
                "service": service,
                "status": status,
                "items": {k: len(v) for k, v in (document or {}).items() if isinstance(v, list)},
            }
        )
    await repository.log_access(
        session,
        principal,
        ids,
        action="export",
        purpose="GET /api/v1/beneficiaries/{beneficiary_id}/export",
    )
    return {
        "beneficiary_id": str(row.id),
        "generated_at": now().isoformat(),
        "complete": all(item["status"] == "included" for item in manifest),
        "manifest": manifest,
        "data": parts,
    }


async def _held(session: AsyncSession, row: Beneficiary, view: access.View) -> dict[str, Any]:
    """What intake holds under one record's id, as the owner sees it."""

    async def rows(model: Any, *order: Any) -> list[dict[str, Any]]:
        found = await session.scalars(
            select(model).where(model.beneficiary_id == row.id).order_by(*order)
        )
        return [_plain(item, model) for item in found.all()]

    record = as_shown(row, view, now().date())
    if row.merged_into is not None:
        record["merged_into"] = str(row.merged_into)
    return {
        "record": record,
        "consents": await rows(Consent, Consent.granted_at, Consent.id),
        "history": await rows(Change, Change.id),
        "access_log": await rows(AccessLogEntry, AccessLogEntry.id),
        "emergency_accesses": await rows(EmergencyAccess, EmergencyAccess.opened_at),
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
