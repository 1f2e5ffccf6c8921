"""The public index of the code lists: every service's own index (``/internal/code-lists``), in
one document, each list naming the service that serves it.

Each service owns its lists (intake the reference data, pathways and matching the labels of their
enums), so none can list the others'; the gateway, which already routes each list's name to its
owner (``edge/routing.py``), composes the index. The lists change only with a release, so a
complete index is kept for a few minutes; a service that does not answer makes the index a 503
(an index that silently lacks a service's lists would look complete), and is asked again on the
next request.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from shared.code_lists.render import dump
from shared.errors import ServiceUnavailable

# How long a composed index is served before the services are asked again (a release that adds a
# list shows within this).
INDEX_TTL_SECONDS = 300.0
TIMEOUT_SECONDS = 5.0


class IndexUnavailable(ServiceUnavailable):
    def __init__(self, service: str) -> None:
        super().__init__(
            f"The {service} service did not give its code lists; try again shortly. "
            "Each list can still be read at /api/v1/code-lists/{name}.",
            service=service,
        )


@dataclass
class _Cached:
    payload: bytes
    at: float


class CodeListIndex:
    """The composed index, cached per process (one per gateway app)."""

    def __init__(self, ttl_seconds: float = INDEX_TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._cached: _Cached | None = None
        self._lock = asyncio.Lock()

    async def payload(
        self, client: httpx.AsyncClient, upstreams: dict[str, str], internal_token: str
    ) -> bytes:
        cached = self._cached
        if cached is not None and time.monotonic() - cached.at < self._ttl:
            return cached.payload
        async with self._lock:  # one fan-out at a time; the others wait for its result
            cached = self._cached
            if cached is not None and time.monotonic() - cached.at < self._ttl:
                return cached.payload
            payload = await _compose(client, upstreams, internal_token)
            self._cached = _Cached(payload, time.monotonic())
            return payload


async def _compose(client: httpx.AsyncClient, upstreams: dict[str, str], token: str) -> bytes:
    try:
        # A task group: the first service that fails ends the others' calls too.
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(_service_index(client, name, base_url, token))
                for name, base_url in upstreams.items()
            ]
    except* IndexUnavailable as failed:
        raise failed.exceptions[0] from None
    items: list[dict[str, Any]] = [item for task in tasks for item in task.result()]
    return dump({"items": items, "next_cursor": None})


async def _service_index(
    client: httpx.AsyncClient, service: str, base_url: str, token: str
) -> list[dict[str, Any]]:
    try:
        answer = await client.get(
            f"{base_url}/internal/code-lists",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_SECONDS,
        )
        body = answer.json() if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as error:  # down, slow, or not JSON
        raise IndexUnavailable(service) from error
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise IndexUnavailable(service)
    return items
