"""``GET /api/v1/beneficiaries/{id}/skill-readings``: how each skill of a profile is read."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.pagination import WholeCursor


class ReadSkill(BaseModel):
    uri: str
    label: str = Field(description="the preferred label in the response's language")
    confidence: float = Field(ge=0, le=1)


class SkillReading(BaseModel):
    label: str = Field(description="the skill as the profile records it")
    uri: str | None = Field(description="the ESCO skill the profile codes it as, if any")
    verified: bool = Field(description="checked by an operator or a test (the profile's flag)")
    read_as: ReadSkill | None = Field(
        description="free text: the ESCO skill ranking reads it as (read when the profile was "
        "written); null when it is coded, or when no skill is close enough"
    )
    candidates: list[ReadSkill] = Field(
        description="free text: the closest ESCO skills, best first (at most 5), for an operator "
        "to confirm or correct the reading"
    )


class SkillReadingList(BaseModel):
    items: list[SkillReading]
    next_cursor: WholeCursor = None
