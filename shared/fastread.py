"""Hot-path reads: a SQLAlchemy Core statement compiled once to asyncpg SQL, run on a connection
from the service's own SQLAlchemy pool.

Measured on this machine for a primary-key read (CPU per query in the service): ORM session with
commit ~540 us, Core on an AsyncConnection ~260 us, this ~170 us. Statements stay SQLAlchemy-built
(typed columns, no SQL strings); only execution skips SQLAlchemy's per-call compilation,
result processing and greenlet hops. Use it for single-statement reads on hot paths; writes and
multi-statement work keep the request's session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ClauseElement

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class CompiledQuery:
    """``statement`` with named ``bindparam``s, compiled to ``$n`` SQL once."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        self._names: list[str] = list(getattr(compiled, "positiontup", None) or [])

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        return [params[name] for name in self._names]


async def fetch_row(
    engine: AsyncEngine, query: CompiledQuery, **params: Any
) -> asyncpg.Record | None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        return await driver.fetchrow(query.sql, *query.arguments(params))


async def fetch_rows(
    engine: AsyncEngine, query: CompiledQuery, **params: Any
) -> list[asyncpg.Record]:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        rows: list[asyncpg.Record] = await driver.fetch(query.sql, *query.arguments(params))
        return rows
