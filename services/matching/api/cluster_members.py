"""``/api/v1/clusters/{id}/members`` and ``/{organization_id}``: the organisations of a cluster and
their roles in it. DELETE ends a membership today; the row stays."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from services.matching.api.deps import Gateway
from services.matching.db.cluster_tables import ClusterMember
from services.matching.db.models import idempotency
from services.matching.schemas.cluster_members import (
    MemberCreate,
    MemberPage,
    MemberRead,
    MemberUpdate,
)
from services.matching.service import cluster_members
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.etags import check_if_match
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/clusters/{cluster_id}/members",
    tags=["clusters"],
    route_class=idempotent_routes(idempotency),
)


def _read(member: ClusterMember, status_code: int = 200) -> Response:
    headers = (
        {"Location": f"/api/v1/clusters/{member.cluster_id}/members/{member.organization_id}"}
        if status_code == 201
        else None
    )
    return json_response(
        cluster_members.as_read(member), status_code, version=member.version, headers=headers
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberRead,
    responses=problems(403, 404, 409, 422, 503),
    summary="Add a member organisation with its roles (the cluster's coordinator)",
)
async def add_member(
    cluster_id: uuid.UUID,
    body: MemberCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    gateway: Gateway,
) -> Response:
    member = await cluster_members.add(session, principal, cluster_id, body, gateway)
    return _read(member, status.HTTP_201_CREATED)


@router.get(
    "",
    response_model=MemberPage,
    responses=problems(404),
    summary="The cluster's members, former ones too (current: false)",
)
async def list_members(
    cluster_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: ReadSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    shown, next_cursor = await cluster_members.page(
        session, principal, cluster_id, limit=limit, cursor=cursor
    )
    return json_response(
        {"items": [cluster_members.as_read(m) for m in shown], "next_cursor": next_cursor}
    )


@router.get(
    "/{organization_id}",
    response_model=MemberRead,
    responses=problems(404),
    summary="One membership",
)
async def read_member(
    cluster_id: uuid.UUID,
    organization_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: ReadSession,
) -> Response:
    return _read(await cluster_members.get(session, principal, cluster_id, organization_id))


@router.patch(
    "/{organization_id}",
    response_model=MemberRead,
    responses=problems(403, 404, 409, 412, 422, 428),
    summary="Change a member's roles or dates (If-Match); left_on null: it rejoins",
)
async def update_member(
    cluster_id: uuid.UUID,
    organization_id: uuid.UUID,
    body: MemberUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    member = await cluster_members.update(
        session,
        principal,
        cluster_id,
        organization_id,
        body,
        lambda version: check_if_match(request, version),
    )
    return _read(member)


@router.delete(
    "/{organization_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404, 409),
    summary="End a membership today (the row stays, with its history)",
)
async def end_member(
    cluster_id: uuid.UUID,
    organization_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    await cluster_members.end(session, principal, cluster_id, organization_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
