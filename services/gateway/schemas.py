"""Request and response bodies of the gateway's own API (identity and organisations)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from services.gateway.domain.organizations import OrganizationType
from shared.auth import PrincipalKind, Role
from shared.contracts.intake import EmergencyReason

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
                }
            ]
        },
    )

    name: Name
    type: OrganizationType
    country: Country | None = None
    municipality: Municipality | None = None
    contact_email: EmailStr | None = None
    emergency_reasons: EmergencyReasons = []


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
    contact_email: str | None
    emergency_reasons: list[EmergencyReason] = Field(
        description="the emergency-access reasons its org admins may invoke (empty: none)"
    )
    created_at: datetime


Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class UserCreate(StrictModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "giulia.rossi@example.org",
                    "full_name": "Giulia Rossi",
                    "password": "correct horse battery staple",
                    "roles": ["operator"],
                }
            ]
        },
    )

    email: EmailStr
    full_name: Name
    password: Password = Field(
        description="At least 12 characters, not a common one. A first password only: the user "
        "chooses their own at the first sign-in (grant_type=password with new_password)."
    )
    roles: list[Role] = Field(
        min_length=1,
        max_length=6,
        description="Org admins give org_admin, operator, provider in their organisation; platform "
        "admins give an organisation its first org_admin, and platform_admin (held alone) in "
        "their own.",
    )
    organization_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the caller's organisation."
    )


class UserUpdate(StrictModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"roles": ["operator", "org_admin"]}]}
    )

    full_name: Name | None = None
    password: Password | None = Field(
        default=None,
        description="Your own new password (send current_password too), or a first password an "
        "org admin sets for a colleague, who then chooses their own at the next sign-in.",
    )
    current_password: Password | None = Field(
        default=None, description="Required to change your own password."
    )
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=6)
    is_active: bool | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    full_name: str
    organization_id: uuid.UUID
    roles: list[Role]
    is_active: bool
    must_change_password: bool = Field(
        description="the password was set by an admin: the user has not yet chosen their own"
    )
    created_at: datetime
    updated_at: datetime


class ClientCreate(StrictModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Caritas case system (production)"}]},
    )

    name: Name
    organization_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the caller's organisation."
    )


class ClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    client_id: str
    name: str
    organization_id: uuid.UUID
    roles: list[Role]
    created_at: datetime
    revoked_at: datetime | None


class ClientCreated(ClientRead):
    client_secret: str = Field(description="Shown once; store it in your secret manager.")


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str | None = None


class OrganizationSummary(BaseModel):
    id: uuid.UUID
    name: str
    type: OrganizationType


class Me(BaseModel):
    subject: str
    kind: PrincipalKind
    roles: list[Role]
    organization: OrganizationSummary | None
    email: str | None = None
    full_name: str | None = None
    client_name: str | None = None
    beneficiary_id: uuid.UUID | None = None
    token_expires_at: datetime


class ServiceStatus(BaseModel):
    status: str
    latency_ms: float | None = None
    detail: str | None = None


class StackStatus(BaseModel):
    status: str = Field(description="ready when every service and the gateway are ready")
    gateway: ServiceStatus
    services: dict[str, ServiceStatus]
