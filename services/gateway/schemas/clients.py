"""Request and response bodies of the API clients."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.gateway.schemas.common import Name, StrictModel
from shared.auth import Role


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
