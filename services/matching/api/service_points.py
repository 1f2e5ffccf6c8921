"""``/api/v1/service-points``: services at a location (Open Referral HSDS). Providers (and their
org admins) manage their own organisation's points; every organisation-side role, the cluster
coordinator and the platform admin read those published to them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.matching.api.deps import ManagedServicePoint, VisibleServicePoint
from services.matching.db.models import idempotency
from services.matching.domain.needs import NeedDomain
from services.matching.domain.service_points import (
    ServicePointKind,
    ServicePointStatus,
    Tier,
)
from services.matching.schemas.offers import LanguageCode
from services.matching.schemas.service_points import (
    ServicePointCreate,
    ServicePointPage,
    ServicePointRead,
    ServicePointUpdate,
)
from services.matching.service import service_points
from services.matching.service.catalogue_sync import sync_service_points
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.etags import check_if_match
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit
from shared.responses import json_response
from shared.sync import SinceParam, refuse_filters_in_sync

router = APIRouter(
    prefix="/api/v1/service-points",
    tags=["service points"],
    route_class=idempotent_routes(idempotency),
)
PATH = "/api/v1/service-points"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ServicePointRead,
    responses=problems(403, 422),
    summary="Publish a service point (providers and their org admins, for their own organisation)",
    description="`territory_code` must name a territory (GET /api/v1/territories); each of "
    "`cluster_ids` a cluster your organisation is a member of today.",
)
async def create_service_point(
    body: ServicePointCreate, principal: CurrentPrincipal, session: DbSession
) -> Response:
    point = await service_points.create(session, principal, body)
    return json_response(
        service_points.as_read(point),
        status.HTTP_201_CREATED,
        version=point.version,
        headers={"Location": f"{PATH}/{point.id}"},
    )


@router.get(
    "",
    response_model=ServicePointPage,
    responses=problems(410, 422),
    summary="The service points published to the caller's organisation, active ones unless "
    "`status=closed`; a sync with since",
    description="With `since`, a sync in commit order instead (see the partner guide): every "
    "point written since the watermark, closed ones too (`status: closed`), and in `removed` "
    "those deleted; 410 if the watermark is ahead of the database or older than the 90 days "
    "deletions are kept: sync again from 0.",
)
async def list_service_points(
    principal: CurrentPrincipal,
    session: ReadSession,
    territory: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=40,
            description="a territory's code: the points at or under it (ITI4: all of Lazio)",
        ),
    ] = None,
    kind: Annotated[ServicePointKind | None, Query(description="only this kind")] = None,
    need: Annotated[NeedDomain | None, Query(description="answering this need domain")] = None,
    tier: Annotated[Tier | None, Query(description="only this tier")] = None,
    language: Annotated[LanguageCode | None, Query(description="serving this language")] = None,
    organization_id: Annotated[uuid.UUID | None, Query(description="run by it")] = None,
    point_status: Annotated[
        ServicePointStatus | None,
        Query(alias="status", description="active (the default) or closed"),
    ] = None,
    since: SinceParam = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    if since is not None:
        refuse_filters_in_sync(
            territory=territory,
            kind=kind,
            need=need,
            tier=tier,
            language=language,
            organization_id=organization_id,
            status=point_status,
        )
        return json_response(await sync_service_points(session, principal, since, cursor, limit))
    shown, next_cursor = await service_points.page(
        session,
        principal,
        territory=territory,
        kind=kind.value if kind is not None else None,
        need=need.value if need is not None else None,
        tier=tier.value if tier is not None else None,
        language=language,
        organization_id=organization_id,
        status=(point_status or ServicePointStatus.ACTIVE).value,
        limit=limit,
        cursor=cursor,
    )
    return json_response(
        {"items": [service_points.as_read(point) for point in shown], "next_cursor": next_cursor}
    )


@router.get(
    "/{service_point_id}",
    response_model=ServicePointRead,
    responses=problems(404),
    summary="One service point (a closed one too)",
)
async def read_service_point(point: VisibleServicePoint) -> Response:
    return json_response(service_points.as_read(point), version=point.version)


@router.patch(
    "/{service_point_id}",
    response_model=ServicePointRead,
    responses=problems(403, 404, 412, 422, 428),
    summary="Change a service point (If-Match); fields present replace the stored ones",
)
async def update_service_point(
    service_point_id: uuid.UUID,
    body: ServicePointUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    point = await service_points.get_managed(session, principal, service_point_id)
    check_if_match(request, point.version)
    await service_points.update(session, point, body)
    return json_response(service_points.as_read(point), version=point.version)


@router.delete(
    "/{service_point_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404),
    summary="Close a service point: no longer listed nor referred to; its referrals stay",
)
async def close_service_point(point: ManagedServicePoint, session: DbSession) -> Response:
    await service_points.close(session, point)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
