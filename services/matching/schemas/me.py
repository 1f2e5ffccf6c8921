"""Bodies of ``/api/v1/me/referrals``: the person's own referrals in the self-service app."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.matching.domain.referrals import ReferralReasonCode, ReferralStatus
from services.matching.schemas.referrals import REASON_CODE_DESCRIPTION
from shared.pagination import WholeCursor


class OfferSummary(BaseModel):
    id: uuid.UUID
    type: str
    title: str
    provider_organization_id: uuid.UUID
    municipality: str | None
    schedule: str | None
    starts_on: date | None
    ends_on: date | None


class ServicePointSummary(BaseModel):
    """Where the person was sent: the service point, its place and when it is open."""

    id: uuid.UUID
    name: str
    kind: str
    provider_organization_id: uuid.UUID
    territory_code: str
    address: str | None
    opening_hours: list[dict[str, Any]]
    access_mode: str


# What a person answered to a proposed referral in the app.
PersonResponse = Literal["accepted", "declined"]


class OwnReferral(BaseModel):
    id: uuid.UUID
    status: ReferralStatus
    person_response: PersonResponse | None = Field(
        description="what the person answered in the app, if anything"
    )
    reason_code: ReferralReasonCode | None = Field(description=REASON_CODE_DESCRIPTION)
    offer: OfferSummary | None = Field(description="the offer (null for a service point)")
    service_point: ServicePointSummary | None = Field(
        default=None, description="the service point (null for an offer)"
    )
    created_at: datetime
    updated_at: datetime


class OwnReferrals(BaseModel):
    items: list[OwnReferral]
    next_cursor: WholeCursor = None


class Decline(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "I found a job."}]}
    )

    reason: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
        | None
    ) = None
