"""Dependencies of the gateway's own routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.gateway.domain.passwords import password_problems
from services.gateway.edge import ratelimit
from services.gateway.service.auth import TokenIssuer
from services.gateway.settings import GatewaySettings
from shared.auth import CurrentPrincipal, Role
from shared.errors import FieldError, NotFound, UnprocessableContent


def _settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


def _issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.issuer
    return issuer


def client_address(request: Request) -> str:
    """The caller's address: behind trusted proxies, the ``X-Forwarded-For`` entry they added
    (the same as the rate limits count: ``domain.forwarded``)."""
    settings: GatewaySettings = request.app.state.settings
    lines = request.headers.getlist("x-forwarded-for")
    return ratelimit.proxy_trust(settings).client_address(request.client, ", ".join(lines) or None)


Settings = Annotated[GatewaySettings, Depends(_settings)]
Issuer = Annotated[TokenIssuer, Depends(_issuer)]
ClientAddress = Annotated[str, Depends(client_address)]


async def not_a_person(principal: CurrentPrincipal) -> None:
    """For operator routes: a person's own token (role beneficiary) finds nothing here."""
    if principal.roles == {Role.BENEFICIARY}:
        raise NotFound("No such thing.")


def require_strong_password(
    password: str, email: str, *, current: str | None = None, field: str = "body.password"
) -> None:
    """422 naming every reason a chosen password is refused (new accounts, changes, first sign-ins
    and the app's activation alike)."""
    reasons = password_problems(password, email=email, current=current)
    if reasons:
        raise UnprocessableContent(
            "The password is refused.",
            errors=[
                FieldError(field=field, message=reason, code="weak_password") for reason in reasons
            ],
        )
