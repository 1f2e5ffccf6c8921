"""Consent, emergency access and audit bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.intake.domain.emergency import EmergencyAccessStatus as EmergencyStatus
from services.intake.domain.enums import CollectionMethod, Purpose, Section
from shared.contracts.intake import EmergencyReason
from shared.dates import IsoDateTime


class ConsentTerms(BaseModel):
    """What a consent says, whoever records it: the purpose and, for sharing, with whom and what;
    for transfer, to which organisation the person agrees their case may move (it opens nothing
    until that organisation accepts a transfer request)."""

    purpose: Purpose
    organization_id: uuid.UUID | None = Field(
        default=None,
        description="whom the person shares with (purpose sharing) or agrees their case may move "
        "to (purpose transfer); required for both",
    )
    sections: list[Section] = Field(
        default_factory=list, max_length=4, description="what is shared (purpose sharing)"
    )
    text_version: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
    ] = Field(description="the version of the consent text the person agreed to")

    @model_validator(mode="after")
    def _sharing_names_whom_and_what(self) -> ConsentTerms:
        if self.purpose == Purpose.SHARING:
            if self.organization_id is None:
                raise ValueError("a sharing consent names the organisation (organization_id)")
            if not self.sections:
                raise ValueError("a sharing consent names the sections shared")
        elif self.purpose == Purpose.TRANSFER:
            if self.organization_id is None:
                raise ValueError(
                    "a transfer consent names the receiving organisation (organization_id)"
                )
            if self.sections:
                raise ValueError("a transfer consent moves the whole case: no sections")
        elif self.organization_id is not None or self.sections:
            raise ValueError(
                "organization_id belongs to sharing and transfer consents, sections to sharing"
            )
        return self


class ConsentCreate(ConsentTerms):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "purpose": "sharing",
                    "organization_id": "6f1c1f43-1f5e-4c53-9d7e-0b0b5a1d8a10",
                    "sections": ["identity", "profile"],
                    "text_version": "consent-it-2026-01",
                    "collection_method": "paper_signed",
                }
            ]
        },
    )

    collection_method: CollectionMethod = Field(
        description="how the person gave it; mobile_app only by the person themselves, through "
        "POST /api/v1/me/consents (refused here)"
    )
    granted_at: IsoDateTime | None = Field(
        default=None, description="when the person agreed (defaults to now; not in the future)"
    )


class ConsentRead(BaseModel):
    id: uuid.UUID
    beneficiary_id: uuid.UUID
    purpose: Purpose
    organization_id: uuid.UUID | None
    sections: list[Section]
    text_version: str
    collection_method: CollectionMethod = Field(
        description="how the person gave it; mobile_app only by the person themselves, through "
        "POST /api/v1/me/consents (refused here)"
    )
    granted_at: datetime
    granted_by: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    active: bool


class EmergencyAccessCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason_code": "medical_emergency",
                    "reason": "Person admitted to hospital unconscious; the ward needs the "
                    "emergency contact recorded by the registering NGO.",
                }
            ]
        },
    )

    reason_code: EmergencyReason = Field(
        description="the legal basis; your organisation must be entitled to it by the platform "
        "admin (`emergency_reasons` of the organisation)"
    )
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=20, max_length=2000)
    ] = Field(
        description="the circumstances, in words: shown to the registering organisation, never "
        "sent in events or webhooks, nor shown to the person"
    )
    sections: list[Section] | None = Field(
        default=None,
        min_length=1,
        max_length=4,
        description="what to open, within what the reason allows; by default what it needs",
    )


ReasonCode = EmergencyReason | Literal["legacy_unspecified"]


class EmergencyAccessRead(BaseModel):
    """An emergency access, as the opening and the registering organisations see it."""

    id: uuid.UUID
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID = Field(description="the organisation that opened it")
    opened_by: str
    reason_code: ReasonCode = Field(
        description="the legal basis (`legacy_unspecified`: opened before reasons were coded)"
    )
    reason: str
    sections: list[Section]
    status: EmergencyStatus
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None
    closed_by: str | None


class OwnEmergencyAccess(BaseModel):
    """An emergency access to the person's record, as the person sees it in the app: which
    organisation, on which legal basis, which sections, when. Not the words of the reason nor
    who typed them (they may name third parties)."""

    id: uuid.UUID
    organization_id: uuid.UUID
    reason_code: ReasonCode
    sections: list[Section]
    status: EmergencyStatus
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None


class AccessLogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    actor: str
    actor_organization_id: uuid.UUID | None
    action: str
    purpose: str = Field(description="why: the endpoint that read the record")
    emergency: bool
    at: datetime


class ChangeRead(BaseModel):
    id: int
    action: str
    fields: list[str]
    changes: dict[str, Any] = Field(description="field: {from, to}; values are gone after erasure")
    actor: str
    actor_organization_id: uuid.UUID | None
    changed_at: datetime
