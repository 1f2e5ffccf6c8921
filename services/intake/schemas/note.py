"""Case note bodies: a note is written once and never changed (a correction is a new note)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.intake.domain.enums import Section
from shared.sync import Removed, removed_field, watermark_field

MAX_TEXT = 4000


class NoteCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "section": "pathway",
                    "text": "Phoned about the course in Latina: he can start on Monday; the bus "
                    "pass is the obstacle, asked the municipality.",
                    "pathway_id": "3b0e8f4a-6c2d-4e1f-9a7b-5d8c2e1f0a93",
                    "action_id": "8d2c4b6a-1e3f-4a5b-9c7d-0e1f2a3b4c5d",
                    "referral_id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
                }
            ]
        },
    )

    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)
    ] = Field(description=f"what happened or was learnt, in words (1-{MAX_TEXT} characters)")
    section: Section | None = Field(
        default=None,
        description="who besides the registering organisation may read it: the organisations "
        "the person shared this section with. Required, except on a correction, which stays in "
        "the section of the note it corrects",
    )
    pathway_id: uuid.UUID | None = Field(
        default=None, description="the pathway it is about (kept as given, not checked)"
    )
    action_id: uuid.UUID | None = Field(
        default=None, description="the pathway's action it is about (kept as given, not checked)"
    )
    referral_id: uuid.UUID | None = Field(
        default=None, description="the referral it is about (kept as given, not checked)"
    )
    corrects: uuid.UUID | None = Field(
        default=None,
        description="an earlier note of the same person that this one corrects (the earlier "
        "note stays, listed with `corrected_by`)",
    )

    @model_validator(mode="after")
    def _names_its_section(self) -> NoteCreate:
        if self.section is None and self.corrects is None:
            raise ValueError("a note names its section (a correction may leave it out)")
        return self


class NoteRead(BaseModel):
    id: uuid.UUID
    beneficiary_id: uuid.UUID
    section: Section
    text: str
    pathway_id: uuid.UUID | None
    action_id: uuid.UUID | None
    referral_id: uuid.UUID | None
    corrects: uuid.UUID | None = Field(description="the note this one corrects")
    corrected_by: list[uuid.UUID] = Field(
        description="the notes that correct this one, oldest first (empty: not corrected)"
    )
    author_id: str = Field(description="the user (or partner-system client) who wrote it")
    author_organization_id: uuid.UUID | None
    created_at: datetime


class NoteSyncPage(BaseModel):
    """A page of the case-notes feed (``GET /api/v1/notes?since=``)."""

    items: list[NoteRead]
    removed: list[Removed] = removed_field(
        "the people whose notes you must drop (`beneficiary`): apply a page's `removed` before "
        "its `items`, which re-send those of their notes you may still read"
    )
    next_cursor: str | None = None
    watermark: str | None = watermark_field()
