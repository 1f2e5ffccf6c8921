"""Dependencies of the gateway's own routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.gateway.identity import TokenIssuer
from services.gateway.settings import GatewaySettings


def _settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


def _issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.issuer
    return issuer


def client_address(request: Request) -> str:
    """The caller's address; the first ``X-Forwarded-For`` hop only behind a trusted proxy."""
    settings: GatewaySettings = request.app.state.settings
    if settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",")[0].strip()
        if first:
            return first[:64]
    return request.client.host if request.client else "unknown"


Settings = Annotated[GatewaySettings, Depends(_settings)]
Issuer = Annotated[TokenIssuer, Depends(_issuer)]
ClientAddress = Annotated[str, Depends(client_address)]
