"""Request and response bodies of the API clients."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.gateway.schemas.common import Name, StrictModel
from shared.auth import Role

# What a system may act as: a partner's case system (registers and follows people), or a
# provider's (an employer's or a VET provider's: publishes offers, answers referrals).
ClientRole = Literal["partner_system", "provider"]


def _partner_system() -> list[ClientRole]:
    return ["partner_system"]


class ClientCreate(StrictModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Caritas case system (production)"},
                {"name": "Training register feed", "roles": ["provider"]},
            ]
        },
    )

    name: Name
    organization_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the caller's organisation."
    )
    roles: list[ClientRole] = Field(
        default_factory=_partner_system,
        min_length=1,
        max_length=2,
        description="what the system acts as, no more than it needs: `partner_system` (a case "
        "system: registers and follows people) and/or `provider` (publishes offers, answers "
        "referrals as the organisation's providers do). Default `partner_system`.",
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
