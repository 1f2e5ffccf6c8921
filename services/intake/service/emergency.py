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

import httpx
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import repository
from services.intake.db.models import AccessGrant, Beneficiary, EmergencyAccess
from services.intake.domain import access
from services.intake.domain import emergency as rules
from services.intake.schemas.consent import (
    EmergencyAccessCreate,
    EmergencyAccessRead,
    OwnEmergencyAccess,
)
from services.intake.service import events
from services.intake.service.beneficiaries import now
from services.intake.service.consents import announce, end_grant
from shared.auth import Principal
from shared.contracts import intake as contract
from shared.contracts.gateway import EmergencyEntitlement
from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    UnprocessableContent,
)

# The reasons an organisation is entitled to, asked when a request comes (never a stale claim).
Entitlements = Callable[[uuid.UUID], Awaitable[frozenset[str]]]
NOT_ALLOWED = "Emergency access is for org admins of an organisation entitled to the reason."


def gateway_entitlements(http: httpx.AsyncClient, gateway_url: str, token: str) -> Entitlements:
    """Ask the gateway, which owns organisations, over its internal API. An unknown organisation
    is entitled to nothing; a gateway that does not answer opens nothing (503)."""

    async def entitled(organization_id: uuid.UUID) -> frozenset[str]:
        url = f"{gateway_url.rstrip('/')}/internal/organizations/{organization_id}"
        try:
            answer = await http.get(
                f"{url}/emergency-entitlement",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5.0,
            )
        except httpx.HTTPError as error:
            raise ServiceUnavailable("The gateway did not answer; nothing was opened.") from error
        if answer.status_code == 404:
            return frozenset()
        try:
            answer.raise_for_status()
            found = EmergencyEntitlement.model_validate_json(answer.content)
        except (httpx.HTTPError, ValidationError) as error:
            raise ServiceUnavailable("The gateway did not answer; nothing was opened.") from error
        return frozenset(found.reason_codes)

    return entitled


async def open_access(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    body: EmergencyAccessCreate,
    entitled: Entitlements,
) -> EmergencyAccess:
    # Who and why first: a refusal after the lookup would tell which ids are people.
    if not access.may_break_glass(principal):
        raise Forbidden(NOT_ALLOWED)
    organization_id = principal.organization_id
    assert organization_id is not None
    if not rules.may_invoke(body.reason_code, await entitled(organization_id)):
        raise Forbidden(NOT_ALLOWED)
    try:
        sections = rules.sections_for(body.reason_code, body.sections)
    except rules.SectionsBeyondReason as error:
        raise UnprocessableContent(
            "The reason does not open these sections.",
            errors=[
                FieldError(
                    field="body.sections", message=f"beyond the reason: {error}", code="beyond"
                )
            ],
        ) from error
    row = await repository.any_status(session, beneficiary_id, lock=True)
    if row is None or row.status != "active":
        raise NotFound("No such person.")
    if row.organization_id == organization_id:
        raise Forbidden("Your organisation registered this person: it sees the whole record.")
    moment = now()
    # The person's row is locked: two requests at once take turns, the second sees the first.
    already = await session.scalar(
        select(EmergencyAccess.id)
        .where(
            EmergencyAccess.beneficiary_id == row.id,
            EmergencyAccess.organization_id == organization_id,
            EmergencyAccess.closed_at.is_(None),
            EmergencyAccess.expires_at > moment,
        )
        .limit(1)
    )
    if already is not None:
        raise Conflict(
            f"Your organisation's emergency access {already} to this person is open; it is not "
            "renewed: close it, or ask again once it has expired."
        )
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
    session.add(opened)
    session.add(
        AccessGrant(
            source_id=opened.id,
            source="emergency",
            beneficiary_id=row.id,
            organization_id=organization_id,
            sections=opened.sections,
            expires_at=opened.expires_at,
        )
    )
    await session.flush()
    await repository.log_access(
        session,
        principal,
        [row.id],
        action="emergency",
        purpose="POST /api/v1/beneficiaries/{beneficiary_id}/emergency-access",
        emergency=True,
    )
    await repository.record_change(
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
    await events.publish(session, contract.EMERGENCY_ACCESS_OPENED, _event(row, opened))
    await announce(session, row)
    return opened


async def close_access(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, access_id: uuid.UUID
) -> None:
    """The opening organisation's org admin ends it early: the grant goes at once. Idempotent:
    closing a closed or expired one changes nothing."""
    if not access.may_break_glass(principal):
        raise Forbidden(NOT_ALLOWED)
    row = await repository.any_status(session, beneficiary_id, lock=True)
    opened = None
    if row is not None and row.status == "active":
        opened = await session.scalar(
            select(EmergencyAccess)
            .where(
                EmergencyAccess.id == access_id,
                EmergencyAccess.beneficiary_id == row.id,
                EmergencyAccess.organization_id == principal.organization_id,
            )
            .with_for_update()
        )
    if row is None or opened is None:
        raise NotFound("No such emergency access.")
    moment = now()
    if rules.status_of(opened.expires_at, opened.closed_at, moment) != rules.Status.OPEN:
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


async def of_person(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[EmergencyAccess]:
    return list(
        (
            await session.scalars(
                select(EmergencyAccess)
                .where(EmergencyAccess.beneficiary_id == beneficiary_id)
                .order_by(EmergencyAccess.opened_at, EmergencyAccess.id)
            )
        ).all()
    )


async def of_the_person(
    session: AsyncSession, beneficiary_id: uuid.UUID
) -> list[OwnEmergencyAccess]:
    """What the person sees in the app: every emergency access to their record."""
    row = await repository.any_status(session, beneficiary_id)
    if row is None or row.status != "active":
        raise NotFound("No such person.")
    moment = now()
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
        for item in await of_person(session, row.id)
    ]


def read(item: EmergencyAccess) -> EmergencyAccessRead:
    return EmergencyAccessRead(
        id=item.id,
        beneficiary_id=item.beneficiary_id,
        organization_id=item.organization_id,
        opened_by=item.opened_by,
        reason_code=item.reason_code,  # type: ignore[arg-type]
        reason=item.reason,
        sections=item.sections,  # type: ignore[arg-type]
        status=rules.status_of(item.expires_at, item.closed_at, now()),
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
