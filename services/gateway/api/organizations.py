"""Organisations of the cluster: every signed-in caller may read the directory (it names who can
receive referrals and consents, and who may break the glass on which legal basis); only platform
admins add and change organisations, and so decide which may open a record without consent
(``emergency_reasons``). Intake asks at every such request (``/internal/...``), so a withdrawn
entitlement takes effect at once."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.gateway.db import repository
from services.gateway.db.models import Organization, idempotency
from services.gateway.schemas.organizations import (
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
)
from shared.auth import CurrentPrincipal, Principal, Role
from shared.contracts.gateway import EmergencyEntitlement
from shared.db import DbSession, ReadSession
from shared.errors import Conflict, Forbidden, NotFound
from shared.etags import check_if_match, etag
from shared.events import internal_auth
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, keyset, page_of

router = APIRouter(
    prefix="/api/v1/organizations",
    tags=["organizations"],
    route_class=idempotent_routes(idempotency),
)
internal_router = APIRouter(
    prefix="/internal/organizations",
    include_in_schema=False,
    dependencies=[Depends(internal_auth)],
)


def _platform_admin(principal: Principal, doing: str) -> None:
    if Role.PLATFORM_ADMIN not in principal.roles:
        raise Forbidden(f"Only platform admins {doing} organisations.")


def _read(organization: Organization, response: Response) -> OrganizationRead:
    response.headers["ETag"] = etag(organization.version)
    return OrganizationRead.model_validate(organization)


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
    _platform_admin(principal, "add")
    if await repository.organization_by_name(session, body.name):
        raise Conflict("An organisation with this name exists.")
    values = body.model_dump()
    values["emergency_reasons"] = sorted(set(values["emergency_reasons"]))
    organization = Organization(**values)
    try:
        await repository.add(session, organization)
    except IntegrityError as error:  # a concurrent create with the same name
        raise Conflict("An organisation with this name exists.") from error
    response.headers["Location"] = f"/api/v1/organizations/{organization.id}"
    return _read(organization, response)


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
    return _read(organization, response)


@router.patch(
    "/{organization_id}",
    response_model=OrganizationRead,
    responses=problems(403, 404, 409, 412, 428),
    summary="Change an organisation, e.g. its emergency reasons (platform admins; If-Match)",
    description="Send If-Match with the ETag of your last read. `emergency_reasons` entitles the "
    "organisation's org admins to break the glass on those legal bases (`[]`: no more).",
)
async def update_organization(
    organization_id: uuid.UUID,
    body: OrganizationUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> OrganizationRead:
    _platform_admin(principal, "change")  # before the lookup: the answer tells nothing
    organization = await repository.get_organization(session, organization_id, lock=True)
    if organization is None:
        raise NotFound("No such organisation.")
    check_if_match(request, organization.version)
    changes = body.model_dump(exclude_unset=True)
    if "emergency_reasons" in changes:
        changes["emergency_reasons"] = sorted(set(changes["emergency_reasons"]))
    name = changes.get("name")
    if name is not None and name != organization.name:
        if await repository.organization_by_name(session, name):
            raise Conflict("An organisation with this name exists.")
    for field, value in changes.items():
        setattr(organization, field, value)
    organization.version += 1
    try:
        await session.flush()
    except IntegrityError as error:  # a concurrent change to the same name
        raise Conflict("An organisation with this name exists.") from error
    return _read(organization, response)


@internal_router.get("/{organization_id}/emergency-entitlement")
async def emergency_entitlement(
    organization_id: uuid.UUID, session: ReadSession
) -> EmergencyEntitlement:
    """What intake asks at every break-the-glass request: the reasons the organisation may
    invoke now (the token's claims could be minutes old)."""
    organization = await repository.get_organization(session, organization_id)
    if organization is None:
        raise NotFound("No such organisation.")
    return EmergencyEntitlement(
        organization_id=organization.id, reason_codes=list(organization.emergency_reasons)
    )
