"""Transferring a person's case to another organisation (a person moving from Rome to Latina).

The registering organisation asks, naming the receiving organisation and why; the person must
have consented (a consent of purpose ``transfer`` to that organisation, which opens nothing by
itself). Until it accepts, the receiver sees the request and the person's name, not the record.
On acceptance, in one transaction: the record's owner becomes the receiver, the history records
the move, and the other services are told (``beneficiary.updated`` with the new owner and
``access.changed``) so their mirrors follow. The sender keeps no access of its own: what it sees
afterwards is what the person shares with it by a sharing consent, which the new owner records.
A rejection or a cancellation changes nothing but the request."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import beneficiaries, records, transfers
from services.intake.db.models import Beneficiary, Transfer
from services.intake.domain import access
from services.intake.domain import transfers as rules
from services.intake.domain.transfers import Direction, TransferStatus
from services.intake.errors import (
    BeneficiaryNotFound,
    FieldRefused,
    TransferDecided,
    TransferForbidden,
    TransferNotFound,
    TransferPending,
    TransferStale,
)
from services.intake.schemas.transfer import (
    TransferCreate,
    TransferDecision,
    TransferPerson,
    TransferRead,
)
from services.intake.service import events
from services.intake.service.consents import announce
from shared import clock
from shared.auth import Principal

# Whether the gateway knows an organisation (``GatewayClient.organization_exists``).
Exists = Callable[[uuid.UUID], Awaitable[bool]]


async def request(
    session: AsyncSession, principal: Principal, body: TransferCreate, exists: Exists
) -> tuple[Transfer, Beneficiary]:
    if not rules.may_request(principal):
        raise TransferForbidden
    row = await beneficiaries.active_or_404(session, body.beneficiary_id, lock=True)
    if not access.may_change(principal, row.organization_id):
        raise BeneficiaryNotFound  # another organisation's person, shared or not: not here
    if body.to_organization_id == row.organization_id:
        raise FieldRefused(
            "A case moves to another organisation than the one that holds it.",
            "to_organization_id",
            "is your organisation",
            "same",
        )
    consent = await transfers.transfer_consent(session, row.id, body.to_organization_id)
    if consent is None:
        raise FieldRefused(
            "The person has not consented to moving their case to this organisation: record "
            "their consent of purpose transfer to it first.",
            "to_organization_id",
            "no standing transfer consent of the person to this organisation",
            "no_consent",
        )
    if not await exists(body.to_organization_id):
        raise FieldRefused(
            "No such organisation.", "to_organization_id", "is not an organisation", "unknown"
        )
    if await transfers.pending_of(session, row.id) is not None:
        raise TransferPending
    transfer = Transfer(
        id=uuid.uuid4(),
        beneficiary_id=row.id,
        from_organization_id=row.organization_id,
        to_organization_id=body.to_organization_id,
        consent_id=consent.id,
        status=TransferStatus.PENDING.value,
        reason=body.reason,
        requested_by=principal.subject,
        requested_at=clock.now(),
        version=1,
    )
    try:
        async with session.begin_nested():
            await transfers.add(session, transfer)
    except IntegrityError:  # another request for the person won the race
        raise TransferPending from None
    await events.transfer_changed(session, transfer)
    await records.record_change(
        session,
        principal,
        row.id,
        "transfer_requested",
        {"transfer_id": str(transfer.id), "to_organization_id": str(body.to_organization_id)},
    )
    return transfer, row


async def _readable(
    session: AsyncSession, principal: Principal, transfer_id: uuid.UUID
) -> Transfer:
    transfer = await transfers.get(session, transfer_id)
    if transfer is None or not rules.may_read(
        principal, transfer.from_organization_id, transfer.to_organization_id
    ):
        raise TransferNotFound
    return transfer


async def one(
    session: AsyncSession, principal: Principal, transfer_id: uuid.UUID
) -> tuple[Transfer, Beneficiary]:
    transfer = await _readable(session, principal, transfer_id)
    person = await beneficiaries.any_status(session, transfer.beneficiary_id)
    assert person is not None  # a foreign key
    return transfer, person


async def listed(
    session: AsyncSession,
    principal: Principal,
    direction: Direction | None,
    status: TransferStatus | None,
    cursor: str | None,
    limit: int,
) -> Sequence[tuple[Transfer, Beneficiary]]:
    if not principal.acts_as(*rules.READERS):
        raise TransferForbidden
    assert principal.organization_id is not None  # acts_as
    return await transfers.page(
        session, principal.organization_id, direction, status, cursor, limit
    )


async def decide(
    session: AsyncSession,
    principal: Principal,
    transfer_id: uuid.UUID,
    body: TransferDecision,
    check_version: Callable[[int], Any],
) -> tuple[Transfer, Beneficiary]:
    """Accept, reject or cancel. The person's row is locked before the request's (the order a
    new request takes them in), so two steps on one person wait for each other."""
    seen = await _readable(session, principal, transfer_id)
    row = await beneficiaries.any_status(session, seen.beneficiary_id, lock=True)
    transfer = await transfers.get(session, transfer_id, lock=True)
    if row is None or transfer is None:  # erased meanwhile: its requests went with it
        raise TransferNotFound
    try:
        rules.check_step(
            principal, transfer.from_organization_id, transfer.to_organization_id, body.status
        )
    except rules.NotYours:
        raise TransferForbidden from None
    check_version(transfer.version)
    if transfer.status != TransferStatus.PENDING:
        raise TransferDecided(transfer.status)
    if body.status == TransferStatus.REJECTED and body.reason is None:
        raise FieldRefused(
            "A rejection says why, for the sending organisation.",
            "reason",
            "is required",
            "missing",
        )
    if body.status == TransferStatus.ACCEPTED:
        if row.status != "active" or row.organization_id != transfer.from_organization_id:
            raise TransferStale
        await _move(session, principal, row, transfer)
    transfer.status = body.status.value
    transfer.decided_by = principal.subject
    transfer.decided_at = clock.now()
    transfer.decision_reason = body.reason
    transfer.version += 1
    await session.flush()
    await events.transfer_changed(session, transfer)
    if body.status != TransferStatus.ACCEPTED and row.status == "active":
        await records.record_change(
            session,
            principal,
            row.id,
            f"transfer_{body.status.value}",
            {"transfer_id": str(transfer.id)},
        )
    return transfer, row


async def _move(
    session: AsyncSession, principal: Principal, row: Beneficiary, transfer: Transfer
) -> None:
    """The record becomes the receiver's. Its external id is the sender's system's and stays
    behind (it would clash with the receiver's own ids)."""
    changes: dict[str, object] = {
        "organization_id": {
            "from": str(transfer.from_organization_id),
            "to": str(transfer.to_organization_id),
        },
        "transfer_id": str(transfer.id),
    }
    if row.external_id is not None:
        changes["external_id"] = {"from": row.external_id, "to": None}
        row.external_id = None
        # A new dict (the JSONB column tracks assignment, not mutation).
        row.profile = {key: value for key, value in row.profile.items() if key != "external_id"}
    row.organization_id = transfer.to_organization_id
    row.version += 1
    row.updated_by = principal.subject
    await records.record_change(session, principal, row.id, "transferred", changes)
    await events.changed(session, row, registered=False)
    await announce(session, row)  # the new owner to every mirror; bumps the access version


async def cancel_for_merge(
    session: AsyncSession, principal: Principal, merged: Beneficiary, survivor: Beneficiary
) -> None:
    """A record merged into another leaves its pending request behind, cancelled: the receiver
    could never accept a record that is no longer active, and the survivor may have one of its
    own (one pending request per person). The sender asks again for the survivor if it must."""
    pending = await transfers.pending_of(session, merged.id)
    if pending is None:
        return
    pending.status = TransferStatus.CANCELLED.value
    pending.decided_by = principal.subject
    pending.decided_at = clock.now()
    pending.decision_reason = f"merged into {survivor.id}"
    pending.version += 1
    await session.flush()
    await events.transfer_changed(session, pending)


def as_read(transfer: Transfer, person: Beneficiary) -> TransferRead:
    return TransferRead(
        id=transfer.id,
        beneficiary_id=transfer.beneficiary_id,
        person=TransferPerson(given_name=person.given_name, family_name=person.family_name),
        from_organization_id=transfer.from_organization_id,
        to_organization_id=transfer.to_organization_id,
        consent_id=transfer.consent_id,
        status=TransferStatus(transfer.status),
        reason=transfer.reason,
        requested_by=transfer.requested_by,
        requested_at=transfer.requested_at,
        decided_by=transfer.decided_by,
        decided_at=transfer.decided_at,
        decision_reason=transfer.decision_reason,
    )
