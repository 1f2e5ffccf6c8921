"""Each service's migrations produce exactly its models' schema (no drift either way)."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData

from shared.db import create_engine
from shared.testing.plugin import DatabaseFactory
from tests.support import migrated_database


@pytest.mark.parametrize("service", ["gateway", "intake", "pathways", "matching"])
async def test_migrations_match_the_models(database_factory: DatabaseFactory, service: str) -> None:
    url = await migrated_database(database_factory, service)
    metadata: MetaData = importlib.import_module(f"services.{service}.db.models").metadata
    engine = create_engine(url, pool_size=1, max_overflow=0)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
