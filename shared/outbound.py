"""The httpx client services use to call each other and fetch keys: bounded timeouts, pooled
connections, and the current request id passed on so one request can be followed across services."""

from __future__ import annotations

import httpx

from shared.logging import current_request_id

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=2.0)


async def _propagate_request_id(request: httpx.Request) -> None:
    request_id = current_request_id()
    if request_id and "x-request-id" not in request.headers:
        request.headers["X-Request-ID"] = request_id


def service_client(
    *,
    base_url: str = "",
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        event_hooks={"request": [_propagate_request_id]},
        transport=transport,
        follow_redirects=False,
    )
