"""What intake tells the other services, written to the outbox in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.models import Beneficiary, StoredDocument, Transfer, outbox
from services.intake.domain.access import Grant
from services.intake.domain.profile import assess_vulnerability
from services.intake.domain.record import permit_allows_work
from shared import clock
from shared.contracts import intake as contract
from shared.events import emit
from shared.events import scrub as scrub_events


def matching_profile(document: Mapping[str, Any]) -> contract.MatchingProfile:
    legal = document.get("legal_status") or {}
    project = document.get("migration_project") or {}
    return contract.MatchingProfile(
        birth_date=document.get("birth_date"),
        sex=document.get("sex"),
        nationality=document.get("nationality"),
        municipality=document.get("municipality"),
        territory_code=document.get("territory_code"),
        arrival_date=document.get("arrival_date"),
        permit_type=legal.get("permit_type"),
        permit_expires_on=legal.get("permit_expires_on"),
        permit_allows_work=permit_allows_work(document),
        education_level=document.get("education_level"),
        languages=[
            contract.LanguageLevel(
                code=language["code"],
                level=language.get("level"),
                native=language.get("native", False),
                verified=language.get("verified", False),
            )
            for language in document.get("languages", [])
        ],
        skills=[
            contract.Skill(
                uri=skill.get("uri"), label=skill["label"], verified=skill.get("verified", False)
            )
            for skill in document.get("skills", [])
        ],
        desired_occupations=[
            contract.Coded(uri=o.get("esco_uri"), label=o["label"])
            for o in project.get("desired_occupations", [])
        ],
        experience_occupations=[
            contract.Coded(uri=w["occupation"].get("esco_uri"), label=w["occupation"]["label"])
            for w in document.get("work_experience", [])
        ],
        needs=list(document.get("needs", [])),
        desired_sectors=list(project.get("desired_sector_codes", [])),
        plans_business=bool((project.get("plans") or {}).get("start_business")),
        vulnerability_level=assess_vulnerability(
            document, clock.today(), permit_allows_work(document)
        ).level,
    )


async def changed(session: AsyncSession, row: Beneficiary, *, registered: bool) -> None:
    payload = contract.BeneficiaryChanged(
        beneficiary_id=row.id,
        organization_id=row.organization_id,
        profile=matching_profile(row.profile),
    )
    event_type = contract.REGISTERED if registered else contract.UPDATED
    await emit(session, outbox, event_type, payload, source="intake")


async def access_changed(
    session: AsyncSession, row: Beneficiary, grants: list[Grant], *, matching_consent: bool
) -> None:
    payload = contract.AccessChanged(
        beneficiary_id=row.id,
        owner_organization_id=row.organization_id,
        grants=[
            contract.Grant(
                organization_id=grant.organization_id,
                sections=sorted(grant.sections),
                expires_at=grant.expires_at,
            )
            for grant in grants
        ],
        matching_consent=matching_consent,
        version=row.access_version,
    )
    await emit(session, outbox, contract.ACCESS_CHANGED, payload, source="intake")


async def publish(session: AsyncSession, event_type: str, payload: contract.Contract) -> None:
    await emit(session, outbox, event_type, payload, source="intake")


async def publish_returning(
    session: AsyncSession, event_type: str, payload: contract.Contract
) -> uuid.UUID:
    return await emit(session, outbox, event_type, payload, source="intake")


async def document_changed(
    session: AsyncSession, document: StoredDocument, *, deleted: bool = False
) -> None:
    """Pathways reminds of a document's expiry (a task); ids, kind, section and date only."""
    payload = contract.DocumentChanged(
        document_id=document.id,
        beneficiary_id=document.beneficiary_id,
        organization_id=document.organization_id,
        kind=document.kind,
        section=document.section,
        expires_on=document.expires_on,
        deleted=deleted,
    )
    await emit(session, outbox, contract.DOCUMENT_CHANGED, payload, source="intake")


async def transfer_changed(session: AsyncSession, transfer: Transfer) -> None:
    """Pathways lists a pending request as the receiver's task; the gateway tells both parties
    (webhooks)."""
    payload = contract.TransferChanged(
        transfer_id=transfer.id,
        beneficiary_id=transfer.beneficiary_id,
        from_organization_id=transfer.from_organization_id,
        to_organization_id=transfer.to_organization_id,
        status=transfer.status,
        requested_at=transfer.requested_at,
        decided_at=transfer.decided_at,
    )
    await emit(session, outbox, contract.TRANSFER_STATUS_CHANGED, payload, source="intake")


async def publish_many(session: AsyncSession, items: list[tuple[str, contract.Contract]]) -> None:
    for event_type, payload in items:
        await emit(session, outbox, event_type, payload, source="intake")


async def scrub(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    """Drop every event about the person but the erasure itself (payloads hold profiles)."""
    await scrub_events(
        session,
        outbox,
        payload_contains={"beneficiary_id": str(beneficiary_id)},
        keep_types=[contract.ERASED],
    )
