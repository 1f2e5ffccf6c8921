"""What a standard OAuth 2 or OpenID Connect client reads before its first token: the issuer,
the token endpoint and the keys (RFC 8414 §2; OpenID Connect Discovery 1.0 §3). Ponte is an
authorization server without an authorization endpoint (partner systems use client credentials,
apps the password grant, both refresh) that issues no ID tokens, so the fields about browser
flows are present but empty; every URL is built on the configured issuer, which RFC 8414 §3.3
requires to match where the document is read."""

from __future__ import annotations

from services.gateway.schemas.discovery import ServerMetadata
from services.gateway.settings import GatewaySettings

GRANT_TYPES = ("password", "client_credentials", "refresh_token")
CLIENT_AUTHENTICATION = ("client_secret_basic", "client_secret_post", "none")


def metadata(settings: GatewaySettings) -> ServerMetadata:
    issuer = settings.auth_issuer  # exactly the tokens' `iss`
    base = issuer.rstrip("/")
    return ServerMetadata(
        issuer=issuer,
        token_endpoint=f"{base}/api/v1/auth/token",
        jwks_uri=f"{base}/.well-known/jwks.json",
        grant_types_supported=list(GRANT_TYPES),
        token_endpoint_auth_methods_supported=list(CLIENT_AUTHENTICATION),
        response_types_supported=[],
        scopes_supported=[],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=[settings.signing_algorithm],
        service_documentation=f"{base}/docs",
    )
