"""FastAPI dependencies: ``CurrentPrincipal`` on every protected route, ``require_roles`` on top."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import httpx
from fastapi import Depends, Request

from shared.auth.headers import bearer
from shared.auth.keys import JwksKeySource, JwksUnavailable
from shared.auth.principal import Principal, Role
from shared.auth.tokens import TokenError
from shared.auth.verifier import OWN_CLAIMS, IssuerPolicy, TokenVerifier
from shared.errors import Forbidden, ServiceUnavailable, Unauthorized
from shared.logging import get_logger
from shared.settings import ServiceSettings

_log = get_logger("ponte.auth")


def build_verifier(settings: ServiceSettings, http: httpx.AsyncClient) -> TokenVerifier:
    """Our own issuer through its JWKS, plus every externally trusted issuer from settings."""
    policies = [
        IssuerPolicy(
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            algorithms=("ES256", "RS256"),
            keys=JwksKeySource(settings.auth_jwks_url, http),
            claims=OWN_CLAIMS,
        )
    ]
    policies += [
        IssuerPolicy(
            issuer=trusted.issuer,
            audience=trusted.audience,
            algorithms=trusted.algorithms,
            keys=JwksKeySource(trusted.jwks_url, http),
            claims=trusted.claims,
        )
        for trusted in settings.auth_trusted_issuers
    ]
    return TokenVerifier(policies)


def bearer_token(request: Request) -> str:
    """The request's one ``Authorization`` header (``shared.middleware`` refuses two), read as the
    gateway's proxy reads it (``shared.auth.headers``)."""
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("A bearer token is required.")
    token = bearer(header)
    if token is None:
        raise Unauthorized("Use the Bearer scheme.")
    return token


async def authenticate(request: Request) -> Principal:
    """The verified caller. Routes that depend on this are documented with the bearer scheme by
    ``shared.openapi`` (a security sub-dependency would cost every request ~10 us)."""
    token = bearer_token(request)
    verifier: TokenVerifier = request.app.state.verifier
    try:
        principal = await verifier.verify(token)
    except TokenError as error:
        _log.info("token_rejected", reason=str(error))
        raise Unauthorized("The token is not valid.") from error
    except JwksUnavailable as error:
        raise ServiceUnavailable("Tokens cannot be verified right now; try again.") from error
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only principals holding one of ``roles``."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles):
            raise Forbidden("Your role does not allow this.")
        return principal

    return check
