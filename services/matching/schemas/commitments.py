"""Bodies of ``/api/v1/clusters/{id}/commitments`` and ``/{commitment_id}``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.matching.domain.commitments import CommitmentKind
from services.matching.domain.offers import OfferType
from shared.dates import IsoDate

Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class CommitmentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organization_id": "5d1e3c2a-7f4b-4e8a-9c6d-1b2a3c4d5e6f",
                    "kind": "seats_offered",
                    "offer_type": "internship",
                    "quantity": 8,
                    "description": "8 internship seats on building sites",
                    "period_start": "2026-01-01",
                    "period_end": "2026-12-31",
                }
            ]
        },
    )

    organization_id: uuid.UUID
    kind: CommitmentKind
    offer_type: OfferType | None = Field(
        default=None, description="only offers of this type count (none: every type)"
    )
    quantity: int = Field(ge=1, le=1_000_000)
    description: Description | None = None
    period_start: IsoDate
    period_end: IsoDate

    @model_validator(mode="after")
    def _consistent(self) -> CommitmentCreate:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if self.kind == CommitmentKind.OTHER and self.offer_type is not None:
            raise ValueError("a commitment of kind other names no offer_type")
        return self


class CommitmentUpdate(BaseModel):
    """Fields present replace the stored ones; null clears ``offer_type`` or ``description``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"quantity": 10}]})

    kind: CommitmentKind | None = None
    offer_type: OfferType | None = None
    quantity: int | None = Field(default=None, ge=1, le=1_000_000)
    description: Description | None = None
    period_start: IsoDate | None = None
    period_end: IsoDate | None = None


class CommitmentRead(BaseModel):
    id: uuid.UUID
    cluster_id: uuid.UUID
    organization_id: uuid.UUID
    kind: CommitmentKind
    measure: str
    offer_type: OfferType | None
    description: str | None
    period_start: date
    period_end: date
    pledged: int
    delivered: int | None
    ratio: float | None
    version: int
    created_at: datetime
    updated_at: datetime


class CommitmentPage(BaseModel):
    items: list[CommitmentRead]
    next_cursor: str | None
