"""Is every service ready? Each one's ``/readyz`` within ~2 s, and the gateway's database."""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.schemas.status import ServiceStatus, StackStatus
from shared.db import database_ready


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


async def stack_status(
    client: httpx.AsyncClient, upstreams: dict[str, str], engine: AsyncEngine
) -> StackStatus:
    names = list(upstreams)
    results, gateway_ready = await asyncio.gather(
        asyncio.gather(*(_probe(client, upstreams[name]) for name in names)),
        database_ready(engine),
    )
    services = dict(zip(names, results, strict=True))
    everything_ready = gateway_ready and all(s.status == "ready" for s in services.values())
    return StackStatus(
        status="ready" if everything_ready else "degraded",
        gateway=ServiceStatus(status="ready" if gateway_ready else "unavailable"),
        services=services,
    )
