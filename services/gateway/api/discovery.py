"""``GET /.well-known/oauth-authorization-server`` and ``/.well-known/openid-configuration``:
the same metadata, where OAuth 2 (RFC 8414) and OpenID Connect tools look for it."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.gateway.schemas.discovery import ServerMetadata
from services.gateway.service import discovery

router = APIRouter(tags=["auth"])
CACHE = "public, max-age=3600"  # changes only with the deployment's settings


@router.get(
    "/.well-known/oauth-authorization-server",
    response_model=ServerMetadata,
    summary="The authorization server's metadata (RFC 8414): token endpoint, keys, grants",
    openapi_extra={"security": []},
)
async def authorization_server(request: Request, response: Response) -> ServerMetadata:
    response.headers["Cache-Control"] = CACHE
    return discovery.metadata(request.app.state.settings)


@router.get(
    "/.well-known/openid-configuration",
    response_model=ServerMetadata,
    summary="The same metadata where OpenID Connect tools look for it (no ID tokens: access "
    "tokens only)",
    openapi_extra={"security": []},
)
async def openid_configuration(request: Request, response: Response) -> ServerMetadata:
    response.headers["Cache-Control"] = CACHE
    return discovery.metadata(request.app.state.settings)
