"""Events of the matching service (version 1): ids and states, no personal data."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

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


# The cluster's catalogue: offers and service points as their readers see them (version 1).
OFFER_PUBLISHED = "offer.published"
OFFER_UPDATED = "offer.updated"
OFFER_WITHDRAWN = "offer.withdrawn"
SERVICE_POINT_PUBLISHED = "service_point.published"
SERVICE_POINT_UPDATED = "service_point.updated"
SERVICE_POINT_CLOSED = "service_point.closed"


class Readers(Contract):
    """The organisations an event goes to, decided by matching, which owns the catalogue's
    visibility (drafts, clusters, membership on the day): every organisation but
    ``excluded_organization_ids`` when ``everyone`` (an entry published to no cluster is the
    whole installation's, and only the gateway knows every organisation), else exactly
    ``organization_ids``."""

    everyone: bool = False
    organization_ids: list[uuid.UUID] = Field(default_factory=list)
    excluded_organization_ids: list[uuid.UUID] = Field(default_factory=list)


class OfferChanged(Contract):
    """``offer.published``, ``.updated`` and ``.withdrawn``: ids and states, no text (the title
    and description are read through the API)."""

    offer_id: uuid.UUID
    organization_id: uuid.UUID  # the provider's
    type: str
    status: str
    cluster_ids: list[uuid.UUID]
    seats: int
    starts_on: date | None = None
    ends_on: date | None = None
    version: int
    # Withdrawn only: closed, draft (back to a draft), deleted, unshared (no longer published to
    # the readers told: its clusters changed).
    reason: str | None = None
    readers: Readers


class ServicePointChanged(Contract):
    """``service_point.published``, ``.updated`` and ``.closed``: ids, codes and states, no text
    (name, address, hours and contacts are read through the API)."""

    service_point_id: uuid.UUID
    organization_id: uuid.UUID  # the organisation running it
    kind: str
    tier: str
    need_domains: list[str]
    territory_code: str | None = None
    access_mode: str
    status: str
    cluster_ids: list[uuid.UUID]
    version: int
    reason: str | None = None  # closed only: closed, unshared (as an offer's)
    readers: Readers
