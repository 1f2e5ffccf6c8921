"""Response bodies of the token endpoint and of who-am-I."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from services.gateway.domain.organizations import OrganizationType
from shared.auth import PrincipalKind, Role


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
