"""Pathways' copies of other services' records, kept from their events for the tasks they make:
intake's expiring documents (``document.changed``) and transfer requests
(``transfer.status_changed``), matching's referrals (``db.referrals``). Ids, kinds, sections,
statuses and dates only."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.copy_models import PersonDocument, TransferRequest
from shared import clock
from shared.contracts.intake import DocumentChanged, TransferChanged

PENDING = "pending"


async def record(
    session: AsyncSession, model: Any, values: dict[str, Any], final: dict[str, Any] | None
) -> None:
    """Copy a record the first time it is heard of; ``final``: the columns a later state sets
    over an earlier one (None: the event is of a first state, and a late copy of it changes
    nothing that is already there)."""
    statement = insert(model).values(**values, updated_at=clock.now())
    if final is None:
        await session.execute(statement.on_conflict_do_nothing(index_elements=[model.id]))
        return
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[model.id], set_={**final, "updated_at": statement.excluded.updated_at}
        )
    )


async def record_document(session: AsyncSession, changed: DocumentChanged) -> None:
    """A stored document is copied once; a deletion is final (a tombstone that a late copy of
    the upload does not undo)."""
    values = {
        "id": changed.document_id,
        "beneficiary_id": changed.beneficiary_id,
        "kind": changed.kind,
        "section": changed.section,
        "expires_on": changed.expires_on,
        "deleted": changed.deleted,
    }
    await record(session, PersonDocument, values, {"deleted": True} if changed.deleted else None)


async def record_transfer(session: AsyncSession, changed: TransferChanged) -> None:
    """A request is copied once; a decision is final (a late copy of the request does not make
    a decided one pending again)."""
    values = {
        "id": changed.transfer_id,
        "beneficiary_id": changed.beneficiary_id,
        "from_organization_id": changed.from_organization_id,
        "to_organization_id": changed.to_organization_id,
        "status": changed.status,
        "requested_on": changed.requested_at.date(),
    }
    decided = None if changed.status == PENDING else {"status": changed.status}
    await record(session, TransferRequest, values, decided)


async def erase(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    """An erasure: intake deleted the documents and the requests; their copies go too."""
    await session.execute(
        delete(PersonDocument).where(PersonDocument.beneficiary_id == beneficiary_id)
    )
    await session.execute(
        delete(TransferRequest).where(TransferRequest.beneficiary_id == beneficiary_id)
    )


async def merge(session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID) -> None:
    """The documents follow the person, as in intake (a pending request of the merged record is
    cancelled there, and its event follows)."""
    await session.execute(
        update(PersonDocument)
        .where(PersonDocument.beneficiary_id == merged_id)
        .values(beneficiary_id=survivor_id, updated_at=clock.now())
    )
