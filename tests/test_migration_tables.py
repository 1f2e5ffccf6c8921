"""The migration helpers (``shared.migration_tables``) create the shared tables exactly as the
services' migrations left them: the same columns (types, lengths, nullability, defaults, identity,
comments), indexes and constraints, in every service that has them; and they drop them again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection, text

from shared import migration_tables
from shared.db import create_engine
from shared.testing.plugin import DatabaseFactory
from tests.support import migrated_database

SERVICES = ["gateway", "intake", "pathways", "matching"]
HELPERS: list[tuple[tuple[str, ...], Callable[[], None], Callable[[], None]]] = [
    (
        ("outbox_cursor", "outbox_event"),
        migration_tables.create_outbox,
        migration_tables.drop_outbox,
    ),
    (("inbox_event",), migration_tables.create_inbox, migration_tables.drop_inbox),
    (
        ("idempotency_record",),
        migration_tables.create_idempotency,
        migration_tables.drop_idempotency,
    ),
    (
        ("beneficiary_access", "beneficiary_grant"),
        migration_tables.create_access_mirror,
        migration_tables.drop_access_mirror,
    ),
    (
        ("beneficiary_access",),
        lambda: migration_tables.create_access_mirror(grants=False),
        lambda: migration_tables.drop_access_mirror(grants=False),
    ),
]
COLUMNS = text(
    "SELECT table_name, column_name, data_type, udt_name, character_maximum_length, "
    "is_nullable, column_default, is_identity, identity_generation, "
    "col_description(format('%I', table_name)::regclass, ordinal_position) AS comment "
    "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY(:tables)"
)
INDEXES = text(
    "SELECT tablename, indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = 'public' AND tablename = ANY(:tables)"
)
CONSTRAINTS = text(
    "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE conrelid::regclass::text = ANY(:tables)"
)
TABLES = text(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(:tables)"
)

Shape = dict[str, list[tuple[object, ...]]]


async def shape(url: str, tables: tuple[str, ...]) -> Shape:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            found: Shape = {}
            for name, query in (("columns", COLUMNS), ("indexes", INDEXES)):
                rows = await connection.execute(query, {"tables": list(tables)})
                found[name] = sorted(tuple(row) for row in rows)
            rows = await connection.execute(CONSTRAINTS, {"tables": list(tables)})
            found["constraints"] = sorted(tuple(row) for row in rows)
            rows = await connection.execute(TABLES, {"tables": list(tables)})
            found["tables"] = sorted(tuple(row) for row in rows)
            return found
    finally:
        await engine.dispose()


async def run_operations(url: str, operation: Callable[[], None]) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=0)

    def run(connection: Connection) -> None:
        with Operations.context(MigrationContext.configure(connection)):
            operation()

    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_the_helpers_create_what_the_migrations_did(
    database_factory: DatabaseFactory, service: str
) -> None:
    migrated = await migrated_database(database_factory, service)
    compared = 0
    for tables, create, drop in HELPERS:
        expected = await shape(migrated, tables)
        if [name for (name,) in expected["tables"]] != sorted(tables):
            continue  # this service does not have exactly these tables
        scratch = await database_factory(f"helpers_{service}_{compared}")
        await run_operations(scratch, create)
        assert await shape(scratch, tables) == expected, f"{service}: {tables}"
        await run_operations(scratch, drop)
        assert (await shape(scratch, tables))["tables"] == []
        compared += 1
    expected_counts = {"gateway": 3, "intake": 3, "pathways": 5, "matching": 5}
    assert compared == expected_counts[service]
