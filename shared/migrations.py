"""Alembic, driven from code: each service keeps its own ``migrations/`` folder and calls these.

Migrations run on start under a PostgreSQL advisory lock, so several replicas starting together
apply them once.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import create_engine


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("version_locations", str(migrations_dir / "versions"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("truncate_slug_length", "40")
    config.attributes["database_url"] = database_url
    return config


def _lock_key(migrations_dir: Path) -> int:
    return zlib.crc32(str(migrations_dir.parent.name).encode())


async def upgrade(engine: AsyncEngine, migrations_dir: Path, revision: str = "head") -> None:
    config = alembic_config(migrations_dir, engine.url.render_as_string(hide_password=False))

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(migrations_dir)}
        )
        await connection.run_sync(run)


async def upgrade_url(database_url: str, migrations_dir: Path) -> None:
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        await upgrade(engine, migrations_dir)
    finally:
        await engine.dispose()


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    config = context.config
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(connection, target_metadata)
        return

    import asyncio

    async def with_own_engine() -> None:
        engine = create_engine(config.attributes["database_url"], pool_size=1, max_overflow=0)
        try:
            async with engine.begin() as own:
                await own.run_sync(_run, target_metadata)
        finally:
            await engine.dispose()

    asyncio.run(with_own_engine())


def _run(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()
