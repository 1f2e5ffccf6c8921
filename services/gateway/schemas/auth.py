"""Response bodies of the token endpoint and of who-am-I."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

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


class JsonWebKey(BaseModel):
    """A public key (RFC 7517): EC P-256 (`crv`, `x`, `y`) or RSA (`n`, `e`)."""

    kty: str = Field(description="`EC` or `RSA`")
    kid: str = Field(description="the key id tokens name in their header")
    alg: str = Field(description="`ES256` or `RS256`")
    use: str = Field(description="`sig`")
    crv: str | None = None
    x: str | None = None
    y: str | None = None
    n: str | None = None
    e: str | None = None


class JsonWebKeySet(BaseModel):
    keys: list[JsonWebKey] = Field(description="the keys in use: the current one and the next")
