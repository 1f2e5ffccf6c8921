"""``GET /api/v1/status``: is every service ready? Public, holds no data, answers within ~2 s.

Always 200 with ``status`` ready or degraded: it informs people; orchestrators probe each
service's own ``/readyz``, which does answer 503."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import APIRouter, Request, Response

from services.gateway.schemas.status import ServiceStatus, StackStatus
from shared.db import database_ready

router = APIRouter(tags=["status"])


async def _probe(client: httpx.AsyncClient, base_url: str) -> ServiceStatus:
    started = time.perf_counter()
    try:
        answer = await client.get(f"{base_url}/readyz", timeout=2.0)
    except httpx.TimeoutException:
        return ServiceStatus(status="timeout", detail="no answer within 2 s")
    except httpx.HTTPError as error:
        return ServiceStatus(status="unavailable", detail=type(error).__name__)
    latency = round((time.perf_counter() - started) * 1000, 1)
    ready = answer.status_code == 200
    return ServiceStatus(
        status="ready" if ready else "unavailable",
        latency_ms=latency,
        detail=None if ready else f"readyz answered {answer.status_code}",
    )


@router.get("/api/v1/status", response_model=StackStatus, summary="Readiness of every service")
async def stack_status(request: Request, response: Response) -> StackStatus:
    upstreams: dict[str, str] = request.app.state.settings.upstreams()
    client: httpx.AsyncClient = request.app.state.http
    names = list(upstreams)
    results, gateway_ready = await asyncio.gather(
        asyncio.gather(*(_probe(client, upstreams[name]) for name in names)),
        database_ready(request.app.state.engine),
    )
    services = dict(zip(names, results, strict=True))
    everything_ready = gateway_ready and all(s.status == "ready" for s in services.values())
    response.headers["Cache-Control"] = "no-store"
    return StackStatus(
        status="ready" if everything_ready else "degraded",
        gateway=ServiceStatus(status="ready" if gateway_ready else "unavailable"),
        services=services,
    )
