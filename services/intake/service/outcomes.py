"""Outcomes that change a person's profile, applied here, where the profile lives: a language
level certified at a pathway's follow-up (``outcome.language_certified``, from pathways), a
decision on recognising one of the person's qualifications (``outcome.recognition_decided``, from
pathways) and the skills an offer taught, once its provider marked the referral completed
(``outcome.training_completed``, from matching). Each change is the record's like any other: a
new version, an entry in the person's history (who recorded it, for which organisation, what
changed) and ``beneficiary.updated`` for matching and the webhooks."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import access as grants
from services.intake.db import beneficiaries, documents
from services.intake.db.models import Beneficiary
from services.intake.domain.access import may_record_outcome
from services.intake.domain.outcomes import with_certified_language, with_taught_skills
from services.intake.domain.qualifications import decided, with_recognition
from services.intake.domain.record import changes
from services.intake.service import versions
from shared import clock
from shared.contracts import matching as matching_contract
from shared.contracts import pathways as contract
from shared.events import EventEnvelope, EventHandler
from shared.logging import get_logger

log = get_logger("ponte.intake.outcomes")
# The history entries' actions
LANGUAGE_CERTIFIED = "language_certified"
RECOGNITION_DECIDED = "recognition_decided"
TRAINING_COMPLETED = "training_completed"


async def on_language_certified(session: AsyncSession, event: EventEnvelope) -> None:
    certified = contract.LanguageCertified.model_validate(event.payload)
    row = await _changeable(session, event, certified.beneficiary_id, certified.organization_id)
    if row is None:
        return
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
    await _apply(
        session, row, after, certified.recorded_by, certified.organization_id, LANGUAGE_CERTIFIED
    )


async def on_recognition_decided(session: AsyncSession, event: EventEnvelope) -> None:
    decision = contract.RecognitionDecided.model_validate(event.payload)
    row = await _changeable(session, event, decision.beneficiary_id, decision.organization_id)
    if row is None:
        return
    after = with_recognition(
        row.profile,
        str(decision.qualification_id),
        decided(
            decision=decision.decision,
            decided_on=decision.decided_on,
            equivalent_level=decision.equivalent_level,
            procedure=decision.procedure,
            authority=decision.authority,
            pathway_id=decision.pathway_id,
            action_id=decision.action_id,
        ),
    )
    if after is None:  # not one of this person's qualifications (or removed since)
        log.warning("outcome_not_applied", event_id=str(event.id), reason="no such qualification")
        return
    await _apply(
        session, row, after, decision.recorded_by, decision.organization_id, RECOGNITION_DECIDED
    )


async def _changeable(
    session: AsyncSession,
    event: EventEnvelope,
    beneficiary_id: uuid.UUID,
    organization_id: uuid.UUID,
) -> Beneficiary | None:
    """The person's active record, locked, if an outcome of ``organization_id``'s may change
    it: its owner's, or that of an organisation the person shares their pathway with now."""
    row = await beneficiaries.fresh_for_update(session, beneficiary_id)
    if row is None or row.status != "active":
        log.info("outcome_not_applied", event_id=str(event.id), reason="no active record")
        return None  # merged or erased since: the survivor's own pathway records its outcomes
    shared = await grants.grants_on(session, row.id)
    if not may_record_outcome(row.organization_id, organization_id, shared, clock.now()):
        log.warning("outcome_not_applied", event_id=str(event.id), reason="no access")
        return None  # the sharing ended between the outcome and now
    return row


async def _apply(
    session: AsyncSession,
    row: Beneficiary,
    after: dict[str, Any],
    actor: str,
    actor_organization_id: uuid.UUID,
    action: str,
) -> None:
    """The new profile as a new version, with its history entry and ``beneficiary.updated``."""
    diff = changes(row.profile, after)
    if not diff:
        return
    versions.set_profile(row, after, actor)
    await versions.announce(session, row, actor, actor_organization_id, action, diff)


async def on_training_completed(session: AsyncSession, event: EventEnvelope) -> None:
    completed = matching_contract.TrainingCompleted.model_validate(event.payload)
    row = await _changeable(session, event, completed.beneficiary_id, completed.organization_id)
    if row is None:
        return
    after, left_out = with_taught_skills(
        row.profile,
        [(skill.uri, skill.label) for skill in completed.skills],
        {
            "offer_id": str(completed.offer_id),
            "offer_type": completed.offer_type,
            "referral_id": str(completed.referral_id),
            "completed_on": completed.completed_on.isoformat(),
            "certified_by": str(completed.provider_organization_id),
        },
    )
    if left_out:
        log.warning("skills_left_out", event_id=str(event.id), count=left_out)
    await _apply(
        session, row, after, completed.recorded_by, completed.provider_organization_id,
        TRAINING_COMPLETED,
    )  # fmt: skip


async def _own_document(
    session: AsyncSession, beneficiary_id: uuid.UUID, document_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The certificate's id if it is one of this person's documents; None otherwise (an id of
    another person's document, or of none, is not linked: the level still is)."""
    if document_id is None:
        return None
    if not await documents.owned(session, beneficiary_id, [str(document_id)]):
        log.warning("certificate_not_linked", document_id=str(document_id))
        return None
    return document_id


HANDLERS: dict[str, EventHandler] = {
    contract.LANGUAGE_CERTIFIED: on_language_certified,
    contract.RECOGNITION_DECIDED: on_recognition_decided,
    matching_contract.TRAINING_COMPLETED: on_training_completed,
}
