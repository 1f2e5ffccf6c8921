"""API clients: credentials for partner systems (OAuth 2 client credentials). The secret is
shown once, stored only as a hash; revoking a client stops new tokens at once. An organisation's
org admins create its clients; platform admins list and revoke any, but create none."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Response, status

from services.gateway.api.deps import not_a_person
from services.gateway.db import credentials, repository, revocations
from services.gateway.db.models import ApiClient, idempotency
from services.gateway.domain import access
from services.gateway.schemas.clients import ClientCreate, ClientCreated, ClientRead
from shared.auth import CurrentPrincipal, Role
from shared.db import DbSession
from shared.errors import Forbidden, NotFound
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, keyset, page_of

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
    organization_id = body.organization_id or principal.organization_id
    if organization_id is None or not access.may_create_clients(principal, organization_id):
        raise Forbidden("Only an organisation's org admins create its clients.")
    if await repository.get_organization(session, organization_id) is None:
        raise NotFound("No such organisation.")
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id="pc_" + secrets.token_urlsafe(12),
        secret_hash=credentials.digest(secret),
        name=body.name,
        organization_id=organization_id,
        roles=[Role.PARTNER_SYSTEM.value],
        created_by=uuid.UUID(principal.subject) if principal.kind == "user" else None,
    )
    await repository.add(session, client)
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
    order = (ApiClient.created_at, ApiClient.id)
    statement = keyset(repository.readable_clients(principal), order, cursor, limit)
    rows = (await session.scalars(statement)).all()
    return page_of(rows, limit, lambda row: (row.created_at, row.id), ClientRead.model_validate)


@router.get(
    "/{client_uuid}", response_model=ClientRead, responses=problems(404), summary="One client"
)
async def get_client(
    client_uuid: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> ClientRead:
    client = await repository.get_client(session, principal, client_uuid)
    if client is None:
        raise NotFound("No such client.")
    return ClientRead.model_validate(client)


@router.delete(
    "/{client_uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(404),
    summary="Revoke a client: it gets no new tokens (idempotent)",
)
async def revoke_client(
    client_uuid: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    client = await repository.get_client(session, principal, client_uuid)
    if client is None:
        raise NotFound("No such client.")
    if client.revoked_at is None:
        client.revoked_at = datetime.now(UTC)
        await revocations.revoke(session, str(client.id))  # and its access tokens, at once
        await session.flush()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
