"""Organisations of the cluster: every signed-in caller may read the directory (it names who can
receive referrals and consents, and who may break the glass on which legal basis); only platform
admins add and change organisations, and so decide which may open a record without consent
(``emergency_reasons``). Intake asks at every such request (``/internal/...``), so a withdrawn
entitlement takes effect at once; pathways asks whether a user is one of an organisation's
active staff before it assigns a pathway to them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response, status

from services.gateway.api.deps import ListedOrganization, Territories
from services.gateway.db import repository
from services.gateway.db.models import Organization, idempotency
from services.gateway.schemas.organizations import (
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
)
from services.gateway.service import organizations as service
from shared.auth import CurrentPrincipal
from shared.contracts.gateway import EmergencyEntitlement, OrganizationRef, StaffRef
from shared.db import DbSession, ReadSession
from shared.etags import check_if_match, etag
from shared.events import internal_auth
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of

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


def _read(organization: Organization, response: Response) -> OrganizationRead:
    response.headers["ETag"] = etag(organization.version)
    return OrganizationRead.model_validate(organization)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationRead,
    responses=problems(403, 409, 422, 503),
    summary="Add an organisation to the cluster (platform admins)",
    description="A `territory_code` is checked against the territories (`GET "
    "/api/v1/territories`): unknown, 422; while they cannot be read, 503 and nothing stored.",
)
async def create_organization(
    body: OrganizationCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
    territories: Territories,
) -> OrganizationRead:
    organization = await service.create(session, principal, body, territories)
    response.headers["Location"] = f"/api/v1/organizations/{organization.id}"
    return _read(organization, response)


@router.get("", response_model=Page[OrganizationRead], summary="The cluster's organisations")
async def list_organizations(
    _principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[OrganizationRead]:
    rows = await service.page(session, cursor, limit)
    return page_of(rows, limit, lambda row: (row.name, row.id), OrganizationRead.model_validate)


@router.get(
    "/{organization_id}",
    response_model=OrganizationRead,
    responses=problems(404),
    summary="One organisation",
)
async def get_organization(
    organization: ListedOrganization, response: Response
) -> OrganizationRead:
    return _read(organization, response)


@router.patch(
    "/{organization_id}",
    response_model=OrganizationRead,
    responses=problems(403, 404, 409, 412, 422, 428, 503),
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
    territories: Territories,
) -> OrganizationRead:
    organization = await service.update(
        session,
        principal,
        organization_id,
        body,
        lambda version: check_if_match(request, version),
        territories,
    )
    return _read(organization, response)


@internal_router.get("/{organization_id}/emergency-entitlement")
async def emergency_entitlement(
    organization_id: uuid.UUID, session: ReadSession
) -> EmergencyEntitlement:
    """What intake asks at every break-the-glass request: the reasons the organisation may
    invoke now (the token's claims could be minutes old)."""
    organization = await repository.listed_organization(session, organization_id)
    return EmergencyEntitlement(
        organization_id=organization.id, reason_codes=list(organization.emergency_reasons)
    )


@internal_router.get("/{organization_id}")
async def organization_ref(organization_id: uuid.UUID, session: ReadSession) -> OrganizationRef:
    """Whether the organisation exists (404 when not): matching asks before a cluster names it."""
    organization = await repository.listed_organization(session, organization_id)
    return OrganizationRef(organization_id=organization.id, name=organization.name)


@internal_router.get("/{organization_id}/users/{user_id}")
async def staff_ref(
    organization_id: uuid.UUID, user_id: uuid.UUID, session: ReadSession
) -> StaffRef:
    """A user of the organisation with their roles and state (404 when not one of its users):
    pathways asks before it assigns a pathway, books an appointment with them or gives them a
    task, so a deactivated account takes no new work."""
    user = await repository.member(session, organization_id, user_id)
    return StaffRef(
        user_id=user.id,
        organization_id=user.organization_id,
        roles=list(user.roles),
        is_active=user.is_active,
    )
