"""Consents and the access grants they produce (emergency access: ``emergency.py``). Every change
of who may see a person bumps the person's access version and tells the other services (the whole
grant list, so that consumers can simply replace theirs)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import repository
from services.intake.db.models import AccessGrant, Beneficiary, Consent
from services.intake.domain import access
from services.intake.schemas.consent import CollectionMethod, ConsentCreate, Purpose
from services.intake.service import events
from services.intake.service.beneficiaries import now
from shared.auth import Principal
from shared.contracts import intake as contract
from shared.errors import FieldError, NotFound, UnprocessableContent


async def _owned(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, *, or_self: bool = False
) -> Beneficiary:
    """The active row, locked; 404 unless the caller's organisation registered it (or, with
    ``or_self``, the caller is the person, signed in with the beneficiary role)."""
    row = await repository.any_status(session, beneficiary_id, lock=True)
    if row is None or row.status != "active":
        raise NotFound("No such person.")
    if not (
        access.may_change(principal, row.organization_id)
        or (or_self and access.is_the_person(principal, row.id))
    ):
        raise NotFound("No such person.")
    return row


async def announce(session: AsyncSession, row: Beneficiary) -> None:
    """Bump the access version (and updated_at, so syncs notice) and publish the current grants."""
    row.access_version += 1
    row.updated_at = now()
    await session.flush()
    grants = (await repository.grants_of(session, [row.id])).get(row.id, [])
    matching = await session.scalar(
        select(Consent.id)
        .where(
            Consent.beneficiary_id == row.id,
            Consent.purpose == Purpose.MATCHING,
            Consent.withdrawn_at.is_(None),
        )
        .limit(1)
    )
    active = [grant for grant in grants if grant.active(now())]
    await events.access_changed(session, row, active, matching_consent=matching is not None)


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
    if (body.collection_method == CollectionMethod.MOBILE_APP) != by_the_person:
        # "Given in the app" is true only when the person gave it there, themselves.
        raise UnprocessableContent(
            "A consent collected by mobile_app is given by the person in the self-service app.",
            errors=[
                FieldError(
                    field="body.collection_method",
                    message="mobile_app is the person's own, through /me/consents",
                    code="person_only",
                )
            ],
        )
    moment = now()
    if body.granted_at is not None and body.granted_at > moment + timedelta(minutes=5):
        raise UnprocessableContent(
            "The consent cannot be given in the future.",
            errors=[FieldError(field="body.granted_at", message="is in the future", code="future")],
        )
    if body.organization_id == row.organization_id:
        raise UnprocessableContent(
            "A person does not share with the organisation that registered them.",
            errors=[FieldError(field="body.organization_id", message="is the owner", code="owner")],
        )
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
    session.add(consent)
    if body.purpose == Purpose.SHARING and body.organization_id is not None:
        session.add(
            AccessGrant(
                source_id=consent.id,
                source="consent",
                beneficiary_id=row.id,
                organization_id=body.organization_id,
                sections=consent.sections,
            )
        )
    await session.flush()
    await repository.record_change(
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
    consent = await session.scalar(
        select(Consent)
        .where(Consent.id == consent_id, Consent.beneficiary_id == row.id)
        .with_for_update()
    )
    if consent is None:
        raise NotFound("No such consent.")
    if consent.withdrawn_at is not None:
        return
    moment = now()
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
    await session.execute(
        update(AccessGrant).where(AccessGrant.source_id == source_id).values(revoked_at=moment)
    )
    await session.flush()
    await repository.record_change(session, principal, row.id, *change)
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


async def consents(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID
) -> list[Consent]:
    row = await _owned(session, principal, beneficiary_id, or_self=True)
    return list(
        (
            await session.scalars(
                select(Consent)
                .where(Consent.beneficiary_id == row.id)
                .order_by(Consent.granted_at, Consent.id)
            )
        ).all()
    )
