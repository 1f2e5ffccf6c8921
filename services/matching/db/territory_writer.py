"""The territory importer's statements: the import's lock, the table replaced by ``COPY`` through
asyncpg, and the import's record. The caller runs them in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.matching.db.territories import Territory, TerritoryImport

# Two imports at once would interleave their deletes and copies; the second waits.
_LOCK = 7_331_000_002
COLUMNS = (
    "code",
    "scheme",
    "level",
    "parent_code",
    "country",
    "name_latin",
    "name_national",
    "name_key",
    "national_key",
)


async def lock(connection: AsyncConnection) -> None:
    """Wait for any other territory import to commit (held until this transaction ends)."""
    await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})


async def replace(connection: AsyncConnection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Every territory replaced by ``rows`` (tuples in the order of :data:`COLUMNS`)."""
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None  # an asyncpg connection, checked out above
    table = Territory.__tablename__
    await raw.execute(f"DELETE FROM {table}")  # noqa: S608 - a table name, not input
    await raw.copy_records_to_table(table, records=rows, columns=list(COLUMNS))
    # Fresh statistics, or the planner guesses on a table it last saw empty.
    await raw.execute(f"ANALYZE {table}")


async def record(
    connection: AsyncConnection, files: list[dict[str, str]], counts: dict[str, int]
) -> None:
    await connection.execute(insert(TerritoryImport).values(files=files, counts=counts))


async def imported(connection: AsyncConnection) -> bool:
    """Whether any territory import ran (the demo imports the subset once)."""
    found = await connection.scalar(text("SELECT EXISTS (SELECT FROM territory_import)"))
    return bool(found)
