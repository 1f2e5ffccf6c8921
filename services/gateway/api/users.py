"""Users of the organisations: org admins manage their own organisation's staff; platform admins
add organisations' first org admins and their own colleagues, and deactivate accounts; a person's
app account is the person's (see ``domain.access``). Operators may look up colleagues; everyone
may read their own account and change their name, and their password with the current one."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from services.gateway.api.deps import ClientAddress, Issuer, VisibleUser
from services.gateway.db.models import User, idempotency
from services.gateway.schemas.users import UserCreate, UserRead, UserUpdate
from services.gateway.service import users as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.etags import check_if_match, etag
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of

router = APIRouter(
    prefix="/api/v1/users",
    tags=["users"],
    route_class=idempotent_routes(idempotency),
)


def _read(user: User, response: Response) -> UserRead:
    response.headers["ETag"] = etag(user.version)
    return UserRead.model_validate(user)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problems(403, 409),
    summary="Add a user to an organisation (org admins: their own; platform admins: a first org "
    "admin, or a platform admin in their own)",
)
async def create_user(
    body: UserCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    issuer: Issuer,
    response: Response,
) -> UserRead:
    user = await service.create(session, principal, body, issuer)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return _read(user, response)


@router.get("", response_model=Page[UserRead], summary="Users the caller may see")
async def list_users(
    principal: CurrentPrincipal,
    session: DbSession,
    organization_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[UserRead]:
    rows = await service.page(session, principal, organization_id, cursor, limit)
    return page_of(rows, limit, lambda row: (row.created_at, row.id), UserRead.model_validate)


@router.get("/{user_id}", response_model=UserRead, responses=problems(404), summary="One user")
async def get_user(user: VisibleUser, response: Response) -> UserRead:
    return _read(user, response)


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    responses=problems(403, 404, 412, 428),
    summary="Change a user (send If-Match with the ETag of your last read)",
)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
    issuer: Issuer,
    address: ClientAddress,
) -> UserRead:
    user = await service.update(
        session,
        principal,
        user_id,
        body,
        issuer,
        address,
        lambda version: check_if_match(request, version),
    )
    return _read(user, response)
