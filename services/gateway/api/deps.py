"""Dependencies of the gateway's own routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from services.gateway.db import repository
from services.gateway.db.models import ApiClient, Organization, User
from services.gateway.edge import ratelimit
from services.gateway.service.auth import TokenIssuer
from services.gateway.settings import GatewaySettings
from shared.auth import CurrentPrincipal, Role
from shared.db import DbSession
from shared.errors import NotFound
from shared.territory_client import TerritoryClient


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


def _territories(request: Request, settings: Settings) -> TerritoryClient:
    """Matching's territories, over its internal API (it owns them)."""
    return TerritoryClient(request.app.state.http, settings.matching_url, settings.internal_token)


Territories = Annotated[TerritoryClient, Depends(_territories)]
Issuer = Annotated[TokenIssuer, Depends(_issuer)]
ClientAddress = Annotated[str, Depends(client_address)]


async def _visible_user(
    user_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> User:
    return await repository.visible_user(session, principal, user_id)


async def _visible_client(
    client_uuid: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> ApiClient:
    return await repository.visible_client(session, principal, client_uuid)


async def _listed_organization(
    organization_id: uuid.UUID, _principal: CurrentPrincipal, session: DbSession
) -> Organization:
    return await repository.listed_organization(session, organization_id)


# The object or 404 in one read, for routes whose only inputs are path parameters (with a body or
# a query to validate, the route looks the object up itself, so that a 422 still comes first).
VisibleUser = Annotated[User, Depends(_visible_user)]
VisibleClient = Annotated[ApiClient, Depends(_visible_client)]
ListedOrganization = Annotated[Organization, Depends(_listed_organization)]


async def not_a_person(principal: CurrentPrincipal) -> None:
    """For operator routes: a person's own token (role beneficiary) finds nothing here."""
    if principal.roles == {Role.BENEFICIARY}:
        raise NotFound("No such thing.")
