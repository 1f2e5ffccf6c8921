"""Organisations of the cluster: every signed-in caller may read the directory (it names who can
receive referrals and consents); only platform admins add organisations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.gateway.db import repository
from services.gateway.db.models import Organization, idempotency
from services.gateway.schemas import OrganizationCreate, OrganizationRead
from shared.auth import CurrentPrincipal, Role
from shared.db import DbSession
from shared.errors import Conflict, Forbidden, NotFound
from shared.etags import content_etag
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, keyset, page_of

router = APIRouter(
    prefix="/api/v1/organizations",
    tags=["organizations"],
    route_class=idempotent_routes(idempotency),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationRead,
    responses=problems(403, 409),
    summary="Add an organisation to the cluster (platform admins)",
)
async def create_organization(
    body: OrganizationCreate, principal: CurrentPrincipal, session: DbSession, response: Response
) -> OrganizationRead:
    if Role.PLATFORM_ADMIN not in principal.roles:
        raise Forbidden("Only platform admins add organisations.")
    if await repository.organization_by_name(session, body.name):
        raise Conflict("An organisation with this name exists.")
    organization = Organization(**body.model_dump())
    try:
        await repository.add(session, organization)
    except IntegrityError as error:  # a concurrent create with the same name
        raise Conflict("An organisation with this name exists.") from error
    response.headers["Location"] = f"/api/v1/organizations/{organization.id}"
    return OrganizationRead.model_validate(organization)


@router.get("", response_model=Page[OrganizationRead], summary="The cluster's organisations")
async def list_organizations(
    _principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[OrganizationRead]:
    order = (Organization.name, Organization.id)
    rows = (await session.scalars(keyset(select(Organization), order, cursor, limit))).all()
    return page_of(rows, limit, lambda row: (row.name, row.id), OrganizationRead.model_validate)


@router.get(
    "/{organization_id}",
    response_model=OrganizationRead,
    responses=problems(404),
    summary="One organisation",
)
async def get_organization(
    organization_id: uuid.UUID, _principal: CurrentPrincipal, session: DbSession, response: Response
) -> OrganizationRead:
    organization = await repository.get_organization(session, organization_id)
    if organization is None:
        raise NotFound("No such organisation.")
    read = OrganizationRead.model_validate(organization)
    # No version column (organisations are not edited through the API): tag the content.
    response.headers["ETag"] = content_etag(read.model_dump_json().encode())
    return read
