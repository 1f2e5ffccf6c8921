"""Bodies of the self-service routes (``/api/v1/me/*``) and of invitations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.intake.schemas.consent import ConsentTerms
from services.intake.schemas.profile import Contact, Language, Skill


class InvitationCreated(BaseModel):
    id: uuid.UUID
    beneficiary_id: uuid.UUID
    code: str = Field(
        description="Give it to the person (on paper, by text message); shown once, never stored. "
        "They type it into the app, which activates it at POST /api/v1/auth/activate.",
        examples=["7KQ3M-XH9RT"],
    )
    expires_at: datetime


class Redeem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class RedeemedInvitation(BaseModel):
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID


class OwnProfile(BaseModel):
    """What the app shows a person of their record: who they are, how to reach them, their
    languages and skills. Not the case work (needs, vulnerability, legal status, history)."""

    id: uuid.UUID
    organization_id: uuid.UUID = Field(description="the organisation that registered them")
    given_name: str | None
    family_name: str | None
    birth_date: date | None
    municipality: str | None
    territory_code: str | None = Field(default=None, description="where they live, by code")
    contact: Contact | None = None
    languages: list[Language] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    updated_at: datetime


class OwnConsentCreate(ConsentTerms):
    """A consent the person gives in the app (recorded as collected by ``mobile_app``, now)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "purpose": "sharing",
                    "organization_id": "6f1c1f43-1f5e-4c53-9d7e-0b0b5a1d8a10",
                    "sections": ["identity", "contact"],
                    "text_version": "consent-app-2026-01",
                }
            ]
        },
    )
