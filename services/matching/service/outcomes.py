"""Outcomes of referrals that change the person's profile, announced to intake, which owns it: a
completed offer that teaches skills (``outcome.training_completed``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import offers
from services.matching.db.models import Referral, outbox
from services.matching.db.taxonomy_read import skill_labels
from services.matching.domain.esco import DEFAULT_LANGUAGE
from shared import clock
from shared.contracts import matching as contract
from shared.events import emit


async def completed(session: AsyncSession, referral: Referral, by: str) -> None:
    """In the transaction that completes ``referral``: the skills its offer teaches, if any, go
    to intake with their English labels (a profile's skill needs a label)."""
    if referral.offer_id is None:
        return  # a service point teaches nothing
    found = await offers.taught(session, referral.offer_id)
    if found is None or not found[1]:
        return
    offer_type, uris = found
    labels = await skill_labels(session, uris, DEFAULT_LANGUAGE)
    await emit(
        session,
        outbox,
        contract.TRAINING_COMPLETED,
        contract.TrainingCompleted(
            referral_id=referral.id,
            beneficiary_id=referral.beneficiary_id,
            offer_id=referral.offer_id,
            offer_type=offer_type,
            organization_id=referral.organization_id,
            provider_organization_id=referral.provider_organization_id,
            completed_on=clock.today(),
            recorded_by=by,
            skills=[
                contract.TaughtSkill(uri=uri, label=labels[uri]) for uri in uris if uri in labels
            ],
        ),
        source="matching",
    )
