"""Request and response bodies of the users."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.gateway.schemas.common import Name, StrictModel
from shared.auth import Role

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
