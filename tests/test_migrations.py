"""Each service's migrations produce exactly its models' schema (no drift either way)."""

from __future__ import annotations

import importlib
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, text

from shared.db import create_engine
from shared.migrations import alembic_config, upgrade
from shared.testing.plugin import DatabaseFactory
from tests.support import migrated_database, migrations


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


async def test_emergency_accesses_opened_before_reasons_were_coded_say_so(
    database_factory: DatabaseFactory,
) -> None:
    """Intake's 0006: rows of the old emergency_access get ``legacy_unspecified`` and the sections
    they opened (all of them), so that reads and the person's view of them keep working."""
    url = await database_factory("intake")
    engine = create_engine(url, pool_size=1, max_overflow=0)
    migrations_dir = migrations("intake")
    person, opened = uuid.uuid4(), uuid.uuid4()
    try:
        await upgrade(engine, migrations_dir, "0005")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO beneficiary (id, organization_id, status, version, "
                    "access_version, stateless, needs, profile, search_prefixes, blocking_keys, "
                    "created_by, updated_by) VALUES (:id, :org, 'active', 1, 1, false, '{}', "
                    "'{}', '{}', '{}', 'test', 'test')"
                ),
                {"id": person, "org": uuid.uuid4()},
            )
            await connection.execute(
                text(
                    "INSERT INTO emergency_access (id, beneficiary_id, organization_id, "
                    "opened_by, reason, opened_at, expires_at) VALUES (:id, :person, :org, "
                    "'admin', 'an old reason of twenty characters', now(), now())"
                ),
                {"id": opened, "person": person, "org": uuid.uuid4()},
            )
        await upgrade(engine, migrations_dir)
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "SELECT reason_code, sections, reason, closed_at FROM emergency_access "
                        "WHERE id = :id"
                    ),
                    {"id": opened},
                )
            ).one()
    finally:
        await engine.dispose()
    assert row.reason_code == "legacy_unspecified"
    assert sorted(row.sections) == ["contact", "identity", "pathway", "profile"]
    assert (row.reason, row.closed_at) == ("an old reason of twenty characters", None)


async def test_intake_drops_its_unused_inbox_and_its_downgrade_brings_it_back(
    database_factory: DatabaseFactory,
) -> None:
    """Intake's 0007: intake consumed no events, so its inbox went; going back to 0006 recreates
    it as 0002 made it (its columns and its index); 0012 brings it back, the same, when intake
    consumes the outcomes that change a profile."""
    url = await database_factory("intake")
    engine = create_engine(url, pool_size=1, max_overflow=0)
    migrations_dir = migrations("intake")
    config = alembic_config(migrations_dir, url)

    def downgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")

    async def inbox() -> list[tuple[str, ...]]:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                    "WHERE table_name = 'inbox_event' UNION ALL SELECT indexname, '', '' "
                    "FROM pg_indexes WHERE tablename = 'inbox_event' ORDER BY 1"
                )
            )
            return [tuple(row) for row in rows]

    try:
        await upgrade(engine, migrations_dir, "0006")
        before = await inbox()
        await upgrade(engine, migrations_dir, "0007")
        assert await inbox() == []
        async with engine.begin() as connection:
            await connection.run_sync(downgrade)
        assert await inbox() == before
        await upgrade(engine, migrations_dir)
        assert await inbox() == before
    finally:
        await engine.dispose()
    assert ("ix_inbox_event_received_at", "", "") in before
