"""Transfer request bodies: a person's case moving to another organisation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.intake.domain.transfers import TransferStatus

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class TransferCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "beneficiary_id": "0b9f6a53-63a4-4d3e-9a53-8f3f2a3f8e01",
                    "to_organization_id": "6f1c1f43-1f5e-4c53-9d7e-0b0b5a1d8a10",
                    "reason": "Moved from Rome to Latina for seasonal work; the Latina office "
                    "follows the case from now on.",
                }
            ]
        },
    )

    beneficiary_id: uuid.UUID = Field(description="a person your organisation registered")
    to_organization_id: uuid.UUID = Field(
        description="the receiving organisation: it must exist and be another one, and the person "
        "must have given a consent of purpose `transfer` to it"
    )
    reason: Reason = Field(description="why the case moves, for the receiving organisation")


class TransferDecision(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "accepted"}]},
    )

    status: Literal[TransferStatus.ACCEPTED, TransferStatus.REJECTED, TransferStatus.CANCELLED] = (
        Field(
            description="accepted or rejected: the receiving organisation; cancelled: the "
            "sending organisation"
        )
    )
    reason: Reason | None = Field(default=None, description="required to reject")


class TransferPerson(BaseModel):
    """The minimum of the person a party sees on the transfer, whatever it may read otherwise."""

    given_name: str | None
    family_name: str | None


class TransferRead(BaseModel):
    id: uuid.UUID
    beneficiary_id: uuid.UUID
    person: TransferPerson
    from_organization_id: uuid.UUID
    to_organization_id: uuid.UUID
    consent_id: uuid.UUID = Field(description="the person's consent of purpose transfer")
    status: TransferStatus
    reason: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
