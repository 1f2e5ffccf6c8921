"""``/api/v1/clusters`` and ``/{id}``: the clusters (MEIC's local networks). The platform admin
and cluster coordinators create them; the staff of their members read them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.matching.api.deps import Gateway
from services.matching.db.cluster_tables import Cluster
from services.matching.db.models import idempotency
from services.matching.domain.cluster_access import ClusterStatus
from services.matching.schemas.clusters import (
    ClusterCreate,
    ClusterPage,
    ClusterRead,
    ClusterUpdate,
)
from services.matching.service import clusters
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.etags import check_if_match
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/clusters",
    tags=["clusters"],
    route_class=idempotent_routes(idempotency),
)


async def _visible_cluster(
    cluster_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSession
) -> Cluster:
    return await clusters.get_readable(session, principal, cluster_id)


VisibleCluster = Annotated[Cluster, Depends(_visible_cluster)]


def _read(cluster: Cluster, status_code: int = 200) -> Response:
    headers = {"Location": f"/api/v1/clusters/{cluster.id}"} if status_code == 201 else None
    return json_response(
        clusters.as_read(cluster), status_code, version=cluster.version, headers=headers
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ClusterRead,
    responses=problems(403, 409, 422, 503),
    summary="Create a cluster (platform admin; a cluster coordinator for its own organisation)",
    description="The coordinator organisation becomes a member with the role coordinator.",
)
async def create_cluster(
    body: ClusterCreate, principal: CurrentPrincipal, session: DbSession, gateway: Gateway
) -> Response:
    cluster = await clusters.create(session, principal, body, gateway)
    return _read(cluster, status.HTTP_201_CREATED)


@router.get("", response_model=ClusterPage, summary="The clusters the caller may read")
async def list_clusters(
    principal: CurrentPrincipal,
    session: ReadSession,
    cluster_status: Annotated[
        ClusterStatus | None, Query(alias="status", description="only this status")
    ] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    shown, next_cursor = await clusters.page(
        session,
        principal,
        status=cluster_status.value if cluster_status is not None else None,
        limit=limit,
        cursor=cursor,
    )
    return json_response(
        {"items": [clusters.as_read(cluster) for cluster in shown], "next_cursor": next_cursor}
    )


@router.get(
    "/{cluster_id}", response_model=ClusterRead, responses=problems(404), summary="One cluster"
)
async def read_cluster(cluster: VisibleCluster) -> Response:
    return _read(cluster)


@router.patch(
    "/{cluster_id}",
    response_model=ClusterRead,
    responses=problems(403, 404, 409, 412, 422, 428, 503),
    summary="Change a cluster (If-Match); fields present replace the stored ones",
    description="A closed cluster changes no more (409). A new coordinator organisation becomes "
    "a member with the role coordinator; the former one loses that role.",
)
async def update_cluster(
    cluster_id: uuid.UUID,
    body: ClusterUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    gateway: Gateway,
) -> Response:
    cluster = await clusters.get_managed(
        session, principal, cluster_id, lambda version: check_if_match(request, version)
    )
    await clusters.update(session, cluster, body, gateway)
    return _read(cluster)
