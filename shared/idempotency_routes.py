"""``Idempotency-Key`` on every POST of a router: ``APIRouter(..., route_class=idempotent_routes(
table))``, where ``table`` is the service's ``idempotency_record``.

Each POST route of such a router gets a dependency that claims the key in the request's own
session (``DbSession``: the same transaction as the endpoint's effect) or answers with the stored
answer; after the endpoint returns, the route stores its answer in that transaction, before
``DbSession`` commits. So the answer is kept exactly when the effect commits. An error raised by the
endpoint (validation, 404, 409, 5xx) rolls both back: it is not kept, the key is free again, and a
corrected retry with the same key goes ahead.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Header, params
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from shared import idempotency
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.logging import get_logger

_CLAIM = "ponte.idempotency_claim"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_log = get_logger("ponte.idempotency")
_PURGE_BATCH = 1000

KEY_DESCRIPTION = (
    "Makes the POST safe to retry. Send a new random value (a UUID) per operation and the same "
    "value with each retry of it: a retry with the same body answers the first answer again "
    "(header `Idempotent-Replayed: true`) without doing anything twice; the same key with "
    "another body is a 422; a retry while the first attempt is still running waits for it, or "
    "after 5 s answers 409 with `Retry-After`. An error answer is not kept, so a corrected request "
    "may reuse the key. Keys are 1-200 printable characters, kept 24 hours per caller."
)


class _Replay(Exception):  # control flow: the stored answer, raised from the dependency
    def __init__(self, response: Response) -> None:
        self.response = response


@dataclass(frozen=True)
class _Claim:
    session: AsyncSession
    table: Table
    caller: str
    key: str

    async def keep(self, request: Request, response: Response) -> None:
        if not isinstance(getattr(response, "body", None), bytes | memoryview):
            raise TypeError("an idempotent route must answer with a body, not a stream")
        location = response.headers.get("location")
        await idempotency.finish(
            self.session,
            self.table,
            caller=self.caller,
            key=self.key,
            status_code=response.status_code,
            body=bytes(response.body),
            location=location,
            headers={
                name: response.headers[name]
                for name in idempotency.REPLAYED_HEADERS
                if name in response.headers
            },
            resource_id=_resource_of(location, request),
        )


def _resource_of(location: str | None, request: Request) -> uuid.UUID | None:
    """What the answer is about, for erasure: the first id of ``Location``, else of the path."""
    for text in (location or "", request.url.path):
        found = _UUID.search(text.lower())
        if found:
            return uuid.UUID(found.group())
    return None


def replay(stored: idempotency.StoredAnswer) -> Response:
    headers = {**(stored.headers or {}), idempotency.REPLAYED_HEADER: "true"}
    if stored.location:
        headers["location"] = stored.location
    return Response(stored.body, stored.status_code, headers=headers)


def _guard(table: Table) -> Callable[..., Awaitable[None]]:
    async def idempotency_key(
        request: Request,
        principal: CurrentPrincipal,
        session: DbSession,
        key: Annotated[
            str | None, Header(alias=idempotency.KEY_HEADER, description=KEY_DESCRIPTION)
        ] = None,
    ) -> None:
        key = idempotency.valid_key(key)
        if key is None:
            return
        caller = idempotency.caller_of(principal)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        stored = await idempotency.begin(
            session,
            table,
            caller=caller,
            key=key,
            request_hash=idempotency.fingerprint(
                await request.body(), method=request.method, target=target
            ),
        )
        if stored is not None:
            raise _Replay(replay(stored))
        request.scope[_CLAIM] = _Claim(session, table, caller, key)

    return idempotency_key


@cache
def idempotent_routes(table: Table) -> type[APIRoute]:
    """The route class of a router whose POST routes honour ``Idempotency-Key`` with ``table``."""
    guard = Depends(_guard(table))

    class IdempotentRoute(APIRoute):
        idempotency_table = table

        def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
            methods = {method.upper() for method in kwargs.get("methods") or ()}
            self.idempotent = "POST" in methods
            if self.idempotent:
                dependencies: Sequence[params.Depends] = kwargs.get("dependencies") or ()
                kwargs["dependencies"] = [*dependencies, guard]
            super().__init__(path, endpoint, **kwargs)

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()
            if not self.idempotent:
                return handler

            async def idempotent_handler(request: Request) -> Response:
                try:
                    response = await handler(request)
                except _Replay as replayed:
                    return replayed.response
                claim: _Claim | None = request.scope.pop(_CLAIM, None)
                if claim is not None:  # still inside the request's transaction: not committed
                    await claim.keep(request, response)
                return response

            return idempotent_handler

    return IdempotentRoute


def idempotency_tables(routes: Sequence[BaseRoute]) -> list[Table]:
    """The tables an application's idempotent routes write (to purge them)."""
    tables: dict[str, Table] = {}
    for context in iter_route_contexts(routes):
        table = getattr(context.original_route, "idempotency_table", None)
        if isinstance(table, Table):
            tables.setdefault(table.fullname, table)
    return list(tables.values())


async def purge_forever(
    sessions: async_sessionmaker[AsyncSession],
    tables: Sequence[Table],
    *,
    every_seconds: float = 600.0,
) -> None:
    """Delete expired records every ``every_seconds`` (first after a random part of it, so that
    replicas started together do not purge together)."""
    await asyncio.sleep(random.uniform(0, every_seconds / 10))  # noqa: S311 - jitter, not a secret
    while True:
        for table in tables:
            try:
                purged = 0
                while True:
                    async with sessions() as session, session.begin():
                        deleted = await idempotency.purge(session, table, batch=_PURGE_BATCH)
                    purged += deleted
                    if deleted < _PURGE_BATCH:
                        break
                if purged:
                    _log.info("idempotency_purged", records=purged)
            except Exception as error:  # keep purging later; never take the service down
                _log.error("idempotency_purge_error", error=type(error).__name__)
        await asyncio.sleep(every_seconds)


@contextlib.asynccontextmanager
async def purging(
    sessions: async_sessionmaker[AsyncSession], tables: Sequence[Table]
) -> AsyncIterator[None]:
    """Purge expired records in the background while the service runs."""
    if not tables:
        yield
        return
    task = asyncio.create_task(purge_forever(sessions, tables), name="idempotency-purge")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
