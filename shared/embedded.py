"""PostgreSQL without installing a server: the ``pgserver`` wheel ships a real PostgreSQL 16.

Used by ``make run`` (data under ``var/``) and by the tests when no server is configured. Still
PostgreSQL, never a second dialect.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def start_embedded(data_dir: Path, *, cleanup: str = "stop") -> tuple[Any, str]:
    """Start (or join) the embedded server in ``data_dir``; returns the handle and a server URL.

    The handle must be kept alive: pgserver stops the server when the last handle goes away.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI) and falls back well.
        warnings.simplefilter("ignore")
        from pgserver import get_server  # type: ignore[attr-defined]

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = get_server(data_dir, cleanup_mode=cleanup)
    return server, server.get_uri("postgres")


def database_url(server_url: str, database: str) -> str:
    """The URL of ``database`` on the server that ``server_url`` points at."""
    if not _DATABASE_NAME.match(database):
        raise ValueError(f"not a safe database name: {database!r}")
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def _asyncpg_dsn(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_database(server_url: str, database: str) -> str:
    """Create ``database`` if it does not exist; returns its URL."""
    url = database_url(server_url, database)
    connection = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()
    return url


async def drop_database(server_url: str, database: str) -> None:
    if not _DATABASE_NAME.match(database):
        raise ValueError(f"not a safe database name: {database!r}")
    connection = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()
