"""Outcomes recorded in pathways that change a person's profile, applied here, where the profile
lives: a certified language level (``outcome.language_certified``). Each change is the record's
like any other: a new version, an entry in the person's history (who recorded it, for which
organisation, what changed) and ``beneficiary.updated`` for matching and the webhooks."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import access as grants
from services.intake.db import beneficiaries, documents, records
from services.intake.domain.access import may_record_outcome
from services.intake.domain.outcomes import with_certified_language
from services.intake.domain.record import changes, columns
from services.intake.service import events
from shared import clock
from shared.contracts import pathways as contract
from shared.events import EventEnvelope, EventHandler
from shared.logging import get_logger

log = get_logger("ponte.intake.outcomes")
LANGUAGE_CERTIFIED = "language_certified"  # the history entry's action


async def on_language_certified(session: AsyncSession, event: EventEnvelope) -> None:
    certified = contract.LanguageCertified.model_validate(event.payload)
    row = await beneficiaries.fresh_for_update(session, certified.beneficiary_id)
    if row is None or row.status != "active":
        log.info("outcome_not_applied", event_id=str(event.id), reason="no active record")
        return  # merged or erased since: the survivor's own pathway records its own outcomes
    now = clock.now()
    shared = await grants.grants_on(session, row.id)
    if not may_record_outcome(row.organization_id, certified.organization_id, shared, now):
        log.warning("outcome_not_applied", event_id=str(event.id), reason="no access")
        return  # the sharing ended between the follow-up and now
    document = await _own_document(session, row.id, certified.document_id)
    after = with_certified_language(
        row.profile,
        certified.code,
        certified.level,
        {
            "exam": certified.exam,
            "certified_on": certified.certified_on.isoformat(),
            "document_id": str(document) if document else None,
            "recorded_at_pathway": str(certified.pathway_id),
        },
    )
    if after is None:
        log.warning("outcome_not_applied", event_id=str(event.id), reason="too many languages")
        return
    diff = changes(row.profile, after)
    if not diff:
        return
    for name, value in columns(after).items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = now
    row.updated_by = certified.recorded_by
    await records.record_change_by(
        session, certified.recorded_by, certified.organization_id, row.id, LANGUAGE_CERTIFIED, diff
    )
    await events.changed(session, row, registered=False)


async def _own_document(
    session: AsyncSession, beneficiary_id: uuid.UUID, document_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The certificate's id if it is one of this person's documents; None otherwise (an id of
    another person's document, or of none, is not linked: the level still is)."""
    if document_id is None:
        return None
    owner = await documents.owner_of(session, document_id)
    if owner != beneficiary_id:
        log.warning("certificate_not_linked", document_id=str(document_id))
        return None
    return document_id


HANDLERS: dict[str, EventHandler] = {contract.LANGUAGE_CERTIFIED: on_language_certified}
