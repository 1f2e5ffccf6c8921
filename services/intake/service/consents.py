"""Consents and the access grants they produce (emergency access: ``emergency.py``). Every change
of who may see a person bumps the person's access version and tells the other services (the whole
grant list, so that consumers can simply replace theirs)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import access as grants
from services.intake.db import beneficiaries, consents, records
from services.intake.db.models import Beneficiary, Consent
from services.intake.domain import access
from services.intake.domain.enums import CollectionMethod, Purpose
from services.intake.errors import BeneficiaryNotFound, ConsentNotFound, FieldRefused
from services.intake.schemas.consent import ConsentCreate, ConsentRead
from services.intake.service import events
from shared import clock
from shared.auth import Principal
from shared.contracts import intake as contract


async def _owned(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, *, or_self: bool = False
) -> Beneficiary:
    """The active row, locked; 404 unless the caller's organisation registered it (or, with
    ``or_self``, the caller is the person, signed in with the beneficiary role)."""
    row = await beneficiaries.active_or_404(session, beneficiary_id, lock=True)
    if not (
        access.may_change(principal, row.organization_id)
        or (or_self and access.is_the_person(principal, row.id))
    ):
        raise BeneficiaryNotFound
    return row


async def announce(session: AsyncSession, row: Beneficiary) -> None:
    """Bump the access version (and updated_at, so syncs notice) and publish the current grants."""
    row.access_version += 1
    row.updated_at = clock.now()
    await session.flush()
    found = await grants.grants_on(session, row.id)
    matching = await consents.matching_given(session, row.id)
    active = [grant for grant in found if grant.active(clock.now())]
    await events.access_changed(session, row, active, matching_consent=matching)


def _check(row: Beneficiary, body: ConsentCreate, moment: datetime, by_the_person: bool) -> None:
    if (body.collection_method == CollectionMethod.MOBILE_APP) != by_the_person:
        # "Given in the app" is true only when the person gave it there, themselves.
        raise FieldRefused(
            "A consent collected by mobile_app is given by the person in the self-service app.",
            "collection_method",
            "mobile_app is the person's own, through /me/consents",
            "person_only",
        )
    if body.granted_at is not None and body.granted_at > moment + timedelta(minutes=5):
        raise FieldRefused(
            "The consent cannot be given in the future.", "granted_at", "is in the future", "future"
        )
    if body.organization_id == row.organization_id:
        raise FieldRefused(
            "A person does not share with the organisation that registered them.",
            "organization_id",
            "is the owner",
            "owner",
        )


async def grant(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    body: ConsentCreate,
    *,
    by_the_person: bool = False,
) -> Consent:
    """``by_the_person``: the person gives it in the self-service app (beneficiary role)."""
    row = await _owned(session, principal, beneficiary_id, or_self=by_the_person)
    moment = clock.now()
    _check(row, body, moment, by_the_person)
    consent = Consent(
        id=uuid.uuid4(),
        beneficiary_id=row.id,
        purpose=body.purpose.value,
        organization_id=body.organization_id,
        sections=sorted(section.value for section in body.sections),
        text_version=body.text_version,
        collection_method=body.collection_method.value,
        granted_at=body.granted_at or moment,
        granted_by=principal.subject,
        recorded_by_organization_id=principal.organization_id,
    )
    consents.add(session, consent)
    if body.purpose == Purpose.SHARING and body.organization_id is not None:
        grants.add_grant(
            session,
            source="consent",
            source_id=consent.id,
            beneficiary_id=row.id,
            organization_id=body.organization_id,
            sections=consent.sections,
        )
    await session.flush()
    await records.record_change(
        session,
        principal,
        row.id,
        "consent_granted",
        {"consent_id": str(consent.id), "purpose": consent.purpose},
    )
    await events.publish(session, contract.CONSENT_GRANTED, _consent_event(row, consent))
    await announce(session, row)
    return consent


async def withdraw(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, consent_id: uuid.UUID
) -> None:
    """Takes effect at once: the grant is revoked in this transaction. Idempotent. The person may
    withdraw their own consents (beneficiary role)."""
    row = await _owned(session, principal, beneficiary_id, or_self=True)
    consent = await consents.get_for_update(session, row.id, consent_id)
    if consent.withdrawn_at is not None:
        return
    moment = clock.now()
    consent.withdrawn_at = moment
    consent.withdrawn_by = principal.subject
    await end_grant(
        session,
        principal,
        row,
        consent.id,
        moment,
        change=("consent_withdrawn", {"consent_id": str(consent.id), "purpose": consent.purpose}),
        event=(contract.CONSENT_WITHDRAWN, _consent_event(row, consent)),
    )


async def end_grant(
    session: AsyncSession,
    principal: Principal,
    row: Beneficiary,
    source_id: uuid.UUID,
    moment: datetime,
    *,
    change: tuple[str, dict[str, Any]],
    event: tuple[str, contract.Contract],
) -> None:
    """The grant a consent or an emergency access opened ends now: revoked (kept, so syncs send a
    tombstone), recorded in the person's history, told as ``event`` and announced to every
    service."""
    await grants.revoke_source(session, source_id, moment)
    await records.record_change(session, principal, row.id, *change)
    await events.publish(session, *event)
    await announce(session, row)


def _consent_event(row: Beneficiary, consent: Consent) -> contract.ConsentChanged:
    return contract.ConsentChanged(
        consent_id=consent.id,
        beneficiary_id=row.id,
        owner_organization_id=row.organization_id,
        purpose=consent.purpose,
        organization_id=consent.organization_id,
        sections=consent.sections,
    )


async def listed(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID
) -> list[Consent]:
    """The person's consents, withdrawn ones included (the registering organisation, or the
    person)."""
    row = await _owned(session, principal, beneficiary_id, or_self=True)
    return await consents.listed(session, row.id)


async def one(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, consent_id: uuid.UUID
) -> Consent:
    for consent in await listed(session, principal, beneficiary_id):
        if consent.id == consent_id:
            return consent
    raise ConsentNotFound


def as_read(consent: Consent) -> ConsentRead:
    return ConsentRead(
        id=consent.id,
        beneficiary_id=consent.beneficiary_id,
        purpose=consent.purpose,  # type: ignore[arg-type]
        organization_id=consent.organization_id,
        sections=consent.sections,  # type: ignore[arg-type]
        text_version=consent.text_version,
        collection_method=consent.collection_method,  # type: ignore[arg-type]
        granted_at=consent.granted_at,
        granted_by=consent.granted_by,
        withdrawn_at=consent.withdrawn_at,
        withdrawn_by=consent.withdrawn_by,
        active=consent.withdrawn_at is None,
    )
