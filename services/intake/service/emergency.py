"""Emergency access ("break the glass"): an exceptional, accountable act.

Only an org admin of an organisation the platform admin entitled to a reason (the gateway answers
which, at every request) opens a record without consent, on that coded legal basis with a written
reason, for 24 hours, and sees only the sections the basis opens (``domain/emergency.py``). One
access is open at a time per organisation and person, never renewed: a new request after it
expired or was closed. The registering organisation is told at once (``emergency_access.opened``
and ``.closed``, which the gateway turns into webhooks to it alone), every read under it is logged
as an emergency read, and the person sees it in the app (``GET /api/v1/me/emergency-accesses``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import access as grants
from services.intake.db import beneficiaries, emergency, records
from services.intake.db.models import Beneficiary, EmergencyAccess
from services.intake.domain import access
from services.intake.domain import emergency as rules
from services.intake.domain.access import View
from services.intake.domain.enums import Section
from services.intake.errors import (
    BeneficiaryNotFound,
    EmergencyAccessForbidden,
    EmergencyAccessNotFound,
    EmergencyAccessOpen,
    EmergencyAccessToOwnPerson,
    FieldRefused,
)
from services.intake.schemas.consent import (
    EmergencyAccessCreate,
    EmergencyAccessRead,
    OwnEmergencyAccess,
)
from services.intake.service import events
from services.intake.service.consents import announce, end_grant
from shared import clock
from shared.auth import Principal
from shared.contracts import intake as contract

# The reasons an organisation is entitled to, asked when a request comes (never a stale claim).
Entitlements = Callable[[uuid.UUID], Awaitable[frozenset[str]]]


async def _sections(
    principal: Principal, body: EmergencyAccessCreate, entitled: Entitlements
) -> frozenset[Section]:
    """Who and why, before any lookup (a refusal after it would tell which ids are people)."""
    if not access.may_break_glass(principal):
        raise EmergencyAccessForbidden
    assert principal.organization_id is not None
    if not rules.may_invoke(body.reason_code, await entitled(principal.organization_id)):
        raise EmergencyAccessForbidden
    try:
        return rules.sections_for(body.reason_code, body.sections)
    except rules.SectionsBeyondReason as error:
        raise FieldRefused(
            "The reason does not open these sections.",
            "sections",
            f"beyond the reason: {error}",
            "beyond",
        ) from error


async def open_access(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    body: EmergencyAccessCreate,
    entitled: Entitlements,
) -> EmergencyAccess:
    sections = await _sections(principal, body, entitled)
    organization_id = principal.organization_id
    assert organization_id is not None
    row = await beneficiaries.active_or_404(session, beneficiary_id, lock=True)
    if row.organization_id == organization_id:
        raise EmergencyAccessToOwnPerson
    moment = clock.now()
    # The person's row is locked: two requests at once take turns, the second sees the first.
    already = await emergency.open_one(session, row.id, organization_id, moment)
    if already is not None:
        raise EmergencyAccessOpen(already)
    opened = EmergencyAccess(
        id=uuid.uuid4(),
        beneficiary_id=row.id,
        organization_id=organization_id,
        opened_by=principal.subject,
        reason_code=body.reason_code.value,
        reason=body.reason,
        sections=sorted(sections),
        opened_at=moment,
        expires_at=moment + rules.DURATION,
    )
    emergency.add(session, opened)
    grants.add_grant(
        session,
        source="emergency",
        source_id=opened.id,
        beneficiary_id=row.id,
        organization_id=organization_id,
        sections=opened.sections,
        expires_at=opened.expires_at,
    )
    await session.flush()
    await _record_opening(session, principal, row, opened)
    await events.publish(session, contract.EMERGENCY_ACCESS_OPENED, _event(row, opened))
    await announce(session, row)
    return opened


async def _record_opening(
    session: AsyncSession, principal: Principal, row: Beneficiary, opened: EmergencyAccess
) -> None:
    await records.log_access(
        session,
        principal,
        [row.id],
        action="emergency",
        purpose="POST /api/v1/beneficiaries/{beneficiary_id}/emergency-access",
        emergency=True,
    )
    await records.record_change(
        session,
        principal,
        row.id,
        "emergency_access",
        {
            "emergency_access_id": str(opened.id),
            "reason_code": opened.reason_code,
            "sections": opened.sections,
        },
    )


async def close_access(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, access_id: uuid.UUID
) -> None:
    """The opening organisation's org admin ends it early: the grant goes at once. Idempotent:
    closing a closed or expired one changes nothing."""
    if not access.may_break_glass(principal):
        raise EmergencyAccessForbidden
    row = await beneficiaries.any_status(session, beneficiary_id, lock=True)
    if row is None or row.status != "active":
        raise EmergencyAccessNotFound
    opened = await emergency.get_for_update(session, principal, row.id, access_id)
    moment = clock.now()
    if (
        rules.status_of(opened.expires_at, opened.closed_at, moment)
        != rules.EmergencyAccessStatus.OPEN
    ):
        return
    opened.closed_at = moment
    opened.closed_by = principal.subject
    await end_grant(
        session,
        principal,
        row,
        opened.id,
        moment,
        change=("emergency_access_closed", {"emergency_access_id": str(opened.id)}),
        event=(contract.EMERGENCY_ACCESS_CLOSED, _event(row, opened)),
    )


async def listed(session: AsyncSession, row: Beneficiary, view: View) -> list[EmergencyAccess]:
    """Every emergency access to the person: for the registering organisation only."""
    if not view.owner:
        raise BeneficiaryNotFound
    return await emergency.of_person(session, row.id)


async def of_the_person(
    session: AsyncSession, beneficiary_id: uuid.UUID
) -> list[OwnEmergencyAccess]:
    """What the person sees in the app: every emergency access to their record."""
    row = await beneficiaries.active_or_404(session, beneficiary_id)
    moment = clock.now()
    return [
        OwnEmergencyAccess(
            id=item.id,
            organization_id=item.organization_id,
            reason_code=item.reason_code,  # type: ignore[arg-type]
            sections=item.sections,  # type: ignore[arg-type]
            status=rules.status_of(item.expires_at, item.closed_at, moment),
            opened_at=item.opened_at,
            expires_at=item.expires_at,
            closed_at=item.closed_at,
        )
        for item in await emergency.of_person(session, row.id)
    ]


def as_read(item: EmergencyAccess) -> EmergencyAccessRead:
    return EmergencyAccessRead(
        id=item.id,
        beneficiary_id=item.beneficiary_id,
        organization_id=item.organization_id,
        opened_by=item.opened_by,
        reason_code=item.reason_code,  # type: ignore[arg-type]
        reason=item.reason,
        sections=item.sections,  # type: ignore[arg-type]
        status=rules.status_of(item.expires_at, item.closed_at, clock.now()),
        opened_at=item.opened_at,
        expires_at=item.expires_at,
        closed_at=item.closed_at,
        closed_by=item.closed_by,
    )


def _event(row: Beneficiary, item: EmergencyAccess) -> contract.EmergencyAccessChanged:
    return contract.EmergencyAccessChanged(
        emergency_access_id=item.id,
        beneficiary_id=row.id,
        owner_organization_id=row.organization_id,
        organization_id=item.organization_id,
        reason_code=item.reason_code,
        sections=list(item.sections),
        opened_at=item.opened_at,
        expires_at=item.expires_at,
        closed_at=item.closed_at,
    )
