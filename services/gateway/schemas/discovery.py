"""The authorization server's metadata (RFC 8414), also served as OpenID Connect discovery."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ServerMetadata(BaseModel):
    issuer: str = Field(description="the tokens' `iss`, and the base of every URL below")
    token_endpoint: str
    jwks_uri: str = Field(description="the public keys that verify the tokens")
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str] = Field(
        description="client credentials in HTTP Basic or the form; `none` for the password and "
        "refresh grants"
    )
    response_types_supported: list[str] = Field(
        description="empty: no authorization endpoint (no browser redirects); tokens come from "
        "the token endpoint only"
    )
    scopes_supported: list[str] = Field(
        description="empty: a token carries its holder's roles, not scopes (a `scope` sent is "
        "accepted and ignored)"
    )
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str] = Field(
        description="the access tokens' signing algorithm (Ponte issues no ID tokens)"
    )
    token_endpoint_auth_signing_alg_values_supported: list[str] | None = None
    service_documentation: str
    code_challenge_methods_supported: list[str] = Field(
        default_factory=list, description="empty: no authorization code flow"
    )
