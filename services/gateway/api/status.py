"""``GET /api/v1/status``: is every service ready? Public, holds no data, answers within ~2 s.

Always 200 with ``status`` ready or degraded: it informs people; orchestrators probe each
service's own ``/readyz``, which does answer 503."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request, Response

from services.gateway.schemas.status import StackStatus
from services.gateway.service import status as service

router = APIRouter(tags=["status"])


@router.get(
    "/api/v1/status",
    response_model=StackStatus,
    summary="Readiness of every service",
    openapi_extra={"security": []},
)
async def stack_status(request: Request, response: Response) -> StackStatus:
    upstreams: dict[str, str] = request.app.state.settings.upstreams()
    client: httpx.AsyncClient = request.app.state.http
    answer = await service.stack_status(client, upstreams, request.app.state.engine)
    response.headers["Cache-Control"] = "no-store"
    return answer
