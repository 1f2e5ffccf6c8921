"""``/api/v1/clusters/{id}/dashboard``: the cluster's aggregates, for the platform admin and the
cluster's coordinator only (anyone else: 404). No person is ever named; small cells are "<5"."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.matching.schemas.cluster_dashboard import DashboardRead
from services.matching.service import cluster_dashboard
from shared.auth import CurrentPrincipal
from shared.db import ReadSession
from shared.openapi import problems
from shared.responses import json_response

router = APIRouter(prefix="/api/v1/clusters", tags=["clusters"])


@router.get(
    "/{cluster_id}/dashboard",
    response_model=DashboardRead,
    responses=problems(404),
    summary="Members by role, pledged against delivered, the referral network, people reached "
    "and outcomes per member and territory (suppressed)",
)
async def read_dashboard(
    cluster_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSession
) -> Response:
    return json_response(await cluster_dashboard.dashboard(session, principal, cluster_id))
