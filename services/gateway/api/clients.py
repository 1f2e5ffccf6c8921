"""API clients: credentials for partner systems (OAuth 2 client credentials). The secret is
shown once, stored only as a hash; revoking a client stops new tokens at once. An organisation's
org admins create its clients; platform admins list and revoke any, but create none."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from services.gateway.api.deps import VisibleClient, not_a_person
from services.gateway.db.models import idempotency
from services.gateway.schemas.clients import ClientCreate, ClientCreated, ClientRead
from services.gateway.service import clients as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of

router = APIRouter(
    prefix="/api/v1/clients",
    tags=["clients"],
    route_class=idempotent_routes(idempotency),
    dependencies=[Depends(not_a_person)],
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientCreated,
    responses=problems(403),
    summary="Create credentials for a partner system (your organisation's org admins only)",
)
async def create_client(
    body: ClientCreate, principal: CurrentPrincipal, session: DbSession, response: Response
) -> ClientCreated:
    client, secret = await service.create(session, principal, body)
    response.headers["Location"] = f"/api/v1/clients/{client.id}"
    response.headers["Cache-Control"] = "no-store"
    return ClientCreated(**ClientRead.model_validate(client).model_dump(), client_secret=secret)


@router.get("", response_model=Page[ClientRead], summary="The partner-system clients you manage")
async def list_clients(
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[ClientRead]:
    rows = await service.page(session, principal, cursor, limit)
    return page_of(rows, limit, lambda row: (row.created_at, row.id), ClientRead.model_validate)


@router.get(
    "/{client_uuid}", response_model=ClientRead, responses=problems(404), summary="One client"
)
async def get_client(client: VisibleClient) -> ClientRead:
    return ClientRead.model_validate(client)


@router.delete(
    "/{client_uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(404),
    summary="Revoke a client: it gets no new tokens (idempotent)",
)
async def revoke_client(client: VisibleClient, session: DbSession) -> Response:
    await service.revoke(session, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
