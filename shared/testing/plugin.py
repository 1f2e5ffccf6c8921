"""pytest plugin (enabled in pyproject): a PostgreSQL server for the session and fresh, uniquely
named databases that are dropped afterwards, so runs never share state and tests never depend on
order or on a developer's data."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from shared.embedded import drop_database, ensure_database
from shared.testing.postgres import postgres_for_tests

DatabaseFactory = Callable[[str], Awaitable[str]]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with postgres_for_tests() as (url, _source):
        yield url


@pytest.fixture(scope="session")
async def database_factory(postgres_server: str) -> AsyncIterator[DatabaseFactory]:
    """``await database_factory("intake")`` -> URL of a new empty database, dropped at the end."""
    created: list[str] = []

    async def create(label: str) -> str:
        name = f"ponte_test_{label}_{uuid.uuid4().hex[:10]}"
        created.append(name)
        return await ensure_database(postgres_server, name)

    yield create
    for name in created:
        await drop_database(postgres_server, name)
