"""Typed validating dependencies: the object a route works on, or a 404, in one read. Only for
routes whose inputs are all path parameters (FastAPI runs dependencies before it validates a
body or a query, so a 404 here would hide a 422); routes with a body or query look the pathway up
in the handler through the same service function."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from services.pathways.clients.gateway import GatewayClient
from services.pathways.clients.matching import MatchingClient
from services.pathways.db.models import Action, Pathway
from services.pathways.service import pathways
from services.pathways.service.steps import actions
from shared.auth import CurrentPrincipal
from shared.db import DbSession


def matching_client(request: Request) -> MatchingClient:
    """Matching, as the app's shared httpx client reaches it (service point checks)."""
    settings = request.app.state.settings
    return MatchingClient(request.app.state.http, settings.matching_url, settings.internal_token)


def gateway_client(request: Request) -> GatewayClient:
    """The gateway's internal API (who a user of an organisation is)."""
    settings = request.app.state.settings
    return GatewayClient(request.app.state.http, settings.gateway_url, settings.internal_token)


async def visible_pathway(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Pathway:
    return await pathways.visible(session, principal, pathway_id)


async def workable_pathway(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Pathway:
    return await pathways.workable(session, principal, pathway_id)


async def visible_action(
    pathway_id: uuid.UUID,
    action_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
) -> tuple[Pathway, Action]:
    pathway = await pathways.visible(session, principal, pathway_id)
    return pathway, await actions.one(session, pathway, action_id)


# The gateway's internal API (who a user is).
Gateway = Annotated[GatewayClient, Depends(gateway_client)]
# A pathway the caller may see (404 otherwise).
VisiblePathway = Annotated[Pathway, Depends(visible_pathway)]
# A pathway of the caller's organisation, locked for work (404 unseen, 403 another's).
WorkablePathway = Annotated[Pathway, Depends(workable_pathway)]
# An action of a pathway the caller may see, with its pathway (404 otherwise).
VisibleAction = Annotated[tuple[Pathway, Action], Depends(visible_action)]
