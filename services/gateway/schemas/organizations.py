"""Request and response bodies of the organisations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from services.gateway.domain.organizations import OrganizationType
from services.gateway.schemas.common import Name, StrictModel
from shared.contracts.intake import EmergencyReason
from shared.contracts.territories import TerritoryCode

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Municipality = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
EmergencyReasons = Annotated[
    list[EmergencyReason],
    Field(
        max_length=len(EmergencyReason),
        description="The emergency-access (break the glass) reasons the organisation's org admins "
        "may invoke, each a legal basis; empty: not entitled. Set by platform admins only.",
    ),
]


class OrganizationCreate(StrictModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Centro per l'impiego Roma Est",
                    "type": "employment_service",
                    "country": "IT",
                    "municipality": "Roma",
                    "territory_code": "IT_058091",
                }
            ]
        },
    )

    name: Name
    type: OrganizationType
    country: Country | None = None
    municipality: Municipality | None = None
    territory_code: TerritoryCode | None = Field(
        default=None,
        description="where it is: a territory code (`GET /api/v1/territories`); `municipality` "
        "stays a free-text label",
    )
    contact_email: EmailStr | None = None
    emergency_reasons: EmergencyReasons = []  # noqa: RUF012 - a pydantic field, copied per instance


class OrganizationUpdate(StrictModel):
    """Only the fields sent change; ``name``, ``type`` and ``emergency_reasons`` cannot be null
    (send ``[]`` to withdraw every emergency reason)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"emergency_reasons": ["medical_emergency", "trafficking_protection"]}]
        },
    )

    name: Name | None = None
    type: OrganizationType | None = None
    country: Country | None = None
    municipality: Municipality | None = None
    territory_code: TerritoryCode | None = None
    contact_email: EmailStr | None = None
    emergency_reasons: EmergencyReasons | None = None

    @model_validator(mode="after")
    def _required_stay(self) -> OrganizationUpdate:
        cleared = [
            name
            for name in ("name", "type", "emergency_reasons")
            if name in self.model_fields_set and getattr(self, name) is None
        ]
        if cleared:
            raise ValueError(f"cannot be null: {', '.join(cleared)}")
        return self


class OrganizationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    type: OrganizationType
    country: str | None
    municipality: str | None
    territory_code: str | None = None
    contact_email: str | None
    emergency_reasons: list[EmergencyReason] = Field(
        description="the emergency-access reasons its org admins may invoke (empty: none)"
    )
    created_at: datetime
