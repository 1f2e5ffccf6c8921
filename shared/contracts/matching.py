"""Events of the matching service (version 1): ids and states, no personal data."""

from __future__ import annotations

import uuid
from datetime import date

from shared.contracts.intake import Contract

REFERRAL_CHANGED = "referral.status_changed"
TRAINING_COMPLETED = "outcome.training_completed"


class ReferralChanged(Contract):
    referral_id: uuid.UUID
    beneficiary_id: uuid.UUID
    # Exactly one of offer_id and service_point_id names what the person was referred to.
    offer_id: uuid.UUID | None = None
    service_point_id: uuid.UUID | None = None
    organization_id: uuid.UUID
    provider_organization_id: uuid.UUID
    # The cluster the referral was made in (one the target is published to and the referrer is a
    # member of); None when it was made in no cluster, and absent from events emitted before it
    # was added.
    cluster_id: uuid.UUID | None = None
    pathway_id: uuid.UUID | None = None
    action_id: uuid.UUID | None = None
    status: str
    # Why the system ended it (consent_withdrawn, access_ended, person_erased, person_declined,
    # merged); None when a party moved it.
    reason_code: str | None = None


class TaughtSkill(Contract):
    uri: str  # an ESCO skill
    label: str  # its preferred label in English, as a profile's skill needs one


class TrainingCompleted(Contract):
    """A person completed an offer that teaches skills: its provider marked their referral
    completed. Intake owns the profile: it adds the skills the offer teaches, verified, and
    records who and why in the person's history."""

    referral_id: uuid.UUID
    beneficiary_id: uuid.UUID
    offer_id: uuid.UUID
    offer_type: str
    organization_id: uuid.UUID  # the referrer's: whose pathway the person is on
    provider_organization_id: uuid.UUID  # who certifies the completion
    completed_on: date
    recorded_by: str  # the provider's user who marked it completed
    skills: list[TaughtSkill]
