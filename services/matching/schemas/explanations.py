"""The structured part of a match's explanation: the offer's skills the person holds, those they
lack with the nearest they hold and the offers that teach them; and how their free text was read.
Labels are in the response's language (``Content-Language``)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class NamedSkill(BaseModel):
    uri: str
    label: str


class TeachingOffer(BaseModel):
    offer_id: uuid.UUID
    title: str


class MissingSkill(BaseModel):
    uri: str
    label: str
    nearest: NamedSkill | None = Field(
        description="the skill the person holds that is closest in ESCO's hierarchy (a sibling "
        "in the same group, or a few steps away), if any"
    )
    taught_by: list[TeachingOffer] = Field(
        description="offers the caller sees and the person may take that teach this skill "
        "(`skills_taught`), the soonest to start first; at most 3"
    )


class SkillGapsRead(BaseModel):
    matched: list[NamedSkill] = Field(
        description="the offer's required, then preferred, skills the person holds (coded, or "
        "free text read as that skill)"
    )
    missing: list[MissingSkill] = Field(
        description="required skills the person has no credit for, the most specific first "
        "(at most 10): what would make the offer reachable"
    )
    missing_total: int = Field(ge=0, description="how many required skills they lack in all")


class FreeTextSkill(BaseModel):
    text: str = Field(description="a skill of the profile recorded as text, without a URI")
    uri: str | None = Field(description="the ESCO skill it was read as; null: not recognised")
    label: str | None
    confidence: float | None = Field(default=None, ge=0, le=1)
