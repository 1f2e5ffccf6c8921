"""Bodies of ``/api/v1/referrals``, ``/beneficiaries/{id}/matches``, ``/offers/{id}/candidates``
and ``/allocations``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.matching.domain.referrals import ReferralReasonCode, ReferralStatus
from services.matching.schemas.explanations import FreeTextSkill, SkillGapsRead
from shared.pagination import WholeCursor
from shared.sync import Removed, removed_field, watermark_field

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


REASON_CODE_DESCRIPTION = (
    "why the referral ended, coded: when the system ended it or the person declined it, "
    "`consent_withdrawn` (the person's consent to matching ended), `access_ended` (the referring "
    "organisation no longer sees the person: sharing withdrawn, access expired), "
    "`person_erased`, `person_declined`, `merged` (a duplicate record's referral); when a party "
    "rejected or dropped it, the code it gave (`no_capacity`, `language_level`, ...; null if it "
    "gave only its words, `reason`)"
)
# The codes a provider or a referrer may give (``domain.referrals.PARTY_REASONS``).
PartyReasonCode = Literal[
    "no_capacity",
    "language_level",
    "skills_or_qualifications",
    "requirements_not_met",
    "documents_missing",
    "schedule",
    "distance",
    "person_unreachable",
    "person_not_interested",
    "other_opportunity",
    "other",
]


class ReferralCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "beneficiary_id": "5d7c0d5e-8c1a-4c3e-9f0b-2b1f3f7a9c11",
                    "offer_id": "0b7f3f4e-3c0a-4a55-9d1e-2f1a6c1d9e21",
                    "note": "Motivated; worked three years as a bricklayer in Egypt",
                },
                {
                    "beneficiary_id": "5d7c0d5e-8c1a-4c3e-9f0b-2b1f3f7a9c11",
                    "service_point_id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
                    "note": "Needs first legal advice on the permit renewal",
                },
            ]
        },
    )

    beneficiary_id: uuid.UUID
    offer_id: uuid.UUID | None = Field(
        default=None, description="the offer: exactly one of `offer_id` and `service_point_id`"
    )
    service_point_id: uuid.UUID | None = Field(
        default=None,
        description="the service point (an active one published to you): exactly one of "
        "`offer_id` and `service_point_id`; its referral has no seat (accepted -> completed)",
    )
    pathway_id: uuid.UUID | None = Field(
        default=None,
        description="the pathway it serves: one your organisation runs for this person (422 "
        "`not_your_pathway` otherwise)",
    )
    action_id: uuid.UUID | None = Field(
        default=None,
        description="the action of that pathway it carries out, kept in step with the referral "
        "(needs `pathway_id`; an action of another pathway is never moved)",
    )
    note: Note | None = None


class ReferralUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "rejected", "reason": "course full"}]},
    )

    status: ReferralStatus
    reason: Reason | None = Field(
        default=None,
        description="in your words, why you reject or drop it (a reason or a `reason_code` is "
        "required to; with `other`, the reason is)",
    )
    reason_code: PartyReasonCode | None = Field(
        default=None,
        description="why you reject or drop it, coded (code list `referral-reason-codes`), so "
        "that the reasons can be counted (`GET /api/v1/reports/referrals`): `no_capacity`, "
        "`language_level`, `skills_or_qualifications`, `requirements_not_met`, "
        "`documents_missing`, `schedule`, `distance`, `person_unreachable`, "
        "`person_not_interested`, `other_opportunity`, `other`",
    )


class PersonCard(BaseModel):
    """What a provider sees of the person: what the referral needs, nothing more."""

    given_name: str | None = None
    family_name: str | None = None
    contact: dict[str, Any] | None = None
    languages: list[dict[str, Any]] = []
    relevant_skills: list[dict[str, Any]] = []


class Criterion(BaseModel):
    criterion: str
    score: float
    weight: float
    detail: str


class ReferralRead(BaseModel):
    id: uuid.UUID
    beneficiary_id: uuid.UUID
    offer_id: uuid.UUID | None = Field(description="the offer (null for a service point)")
    service_point_id: uuid.UUID | None = Field(description="the service point (null for an offer)")
    organization_id: uuid.UUID
    provider_organization_id: uuid.UUID
    cluster_id: uuid.UUID | None = Field(
        description="the cluster it was made in: one the offer is published to and the "
        "referring organisation was a member of (null: the offer is published to every "
        "cluster, or they shared none)"
    )
    pathway_id: uuid.UUID | None = Field(description="the referrer's pathway (null for others)")
    action_id: uuid.UUID | None = Field(description="the referrer's action (null for others)")
    status: ReferralStatus
    reason: str | None
    reason_code: ReferralReasonCode | None = Field(description=REASON_CODE_DESCRIPTION)
    note: str | None = Field(
        description="the referrer's note: null once the person's consent or the referrer's "
        "view of them ended, or they were erased"
    )
    score: float | None = Field(
        description="the match's score when it was proposed (null for a service point, or a "
        "referral proposed before scores were kept)"
    )
    match: ProposedMatch | None = Field(
        description="the match as it was proposed: each criterion explained, and the skills "
        "held and missing (labels in the proposer's language); null when `person` is"
    )
    person: PersonCard | None = Field(
        description="the card: null once the person's consent to matching or the referrer's "
        "view of them ended, or they were erased"
    )
    history: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class ProposedMatch(BaseModel):
    explanation: list[Criterion]
    skills: SkillGapsRead


class ReferralPage(BaseModel):
    items: list[ReferralRead]
    next_cursor: str | None
    removed: list[Removed] = removed_field(
        "the people whose referrals you must drop (`beneficiary`), and single referrals you "
        "no longer read (`referral`)"
    )
    watermark: str | None = watermark_field()


class OfferMatch(BaseModel):
    offer: dict[str, Any]
    score: float = Field(ge=0, le=1)
    eligible: bool
    excluded_by: list[str]
    explanation: list[Criterion]
    skills: SkillGapsRead


class ServiceMatch(BaseModel):
    service_point: dict[str, Any] = Field(
        description="id, name, kind, tier, organization_id, territory_code, address, "
        "need_domains, languages, access_mode"
    )
    score: float = Field(ge=0, le=1)
    eligible: bool = Field(description="always true: a service point has no entry rules")
    excluded_by: list[str]
    explanation: list[Criterion] = Field(
        description="the criteria of an offer: the need it answers, distance and language "
        "scored; skills, occupation, education and start neutral (they do not apply)"
    )


class MatchList(BaseModel):
    items: list[OfferMatch]
    next_cursor: WholeCursor = None
    services: list[ServiceMatch] = Field(
        description="with `include_services=true`: the service points within the person's reach "
        "that answer their priority need or another assessed need and that the caller sees, "
        "best first (at most `limit`); otherwise empty"
    )
    free_text_skills: list[FreeTextSkill] = Field(
        description="how each skill the profile records as text was read: an operator sees at "
        "once what was not recognised (and can code it) rather than a ranking without it"
    )


class CandidateMatch(BaseModel):
    beneficiary_id: uuid.UUID
    score: float = Field(ge=0, le=1)
    eligible: bool
    excluded_by: list[str]
    explanation: list[Criterion]
    skills: SkillGapsRead


class CandidateList(BaseModel):
    items: list[CandidateMatch]
    next_cursor: WholeCursor = None


class AllocationRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "beneficiary_ids": ["5d7c0d5e-8c1a-4c3e-9f0b-2b1f3f7a9c11"],
                    "offer_ids": ["0b7f3f4e-3c0a-4a55-9d1e-2f1a6c1d9e21"],
                    "favour_vulnerable": 0.5,
                    "maximin": False,
                }
            ]
        },
    )

    beneficiary_ids: list[uuid.UUID] = Field(min_length=1, max_length=10_000)
    offer_ids: list[uuid.UUID] = Field(min_length=1, max_length=5_000)
    favour_vulnerable: float = Field(
        default=0.0, ge=0, le=5, description="weight of vulnerability in the objective"
    )
    maximin: bool = Field(
        default=False, description="first maximise the worst-off assigned person's score"
    )


class Assignment(BaseModel):
    beneficiary_id: uuid.UUID
    offer_id: uuid.UUID | None
    score: float | None
    reason: str


class AllocationResult(BaseModel):
    assignments: list[Assignment]
    objective: float
    greedy_objective: float
    assigned: int
    unassigned: int
    minimum_score: float | None = Field(
        default=None, description="the lowest score among the people assigned"
    )
    solver: str
    excluded_people: list[dict[str, Any]] = Field(
        default_factory=list, description="people left out: not visible, or no matching consent"
    )
