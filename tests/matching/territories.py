"""The committed cut of the official territory files, imported with the real import's code.

Territorial units: NUTS 2024 and LAU 2024 © European Union, Eurostat (GISCO); a cut of them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn

from services.matching.app import create_app
from services.matching.settings import MatchingSettings
from services.matching.territories.importer import import_territories
from shared.db import create_engine
from tools.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ROOT / "services" / "matching" / "territories" / "subset"
NUTS = SUBSET / "NUTS_AT_2024.csv"
LAU = SUBSET / "EU-27-LAU-2024-NUTS-2024.xlsx"


async def import_territory_subset(database_url: str) -> dict[str, int]:
    """Import the cut into a migrated matching database; returns the counts."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        return await import_territories(engine, NUTS, LAU)
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def matching_listening(database_url: str, internal_token: str) -> AsyncIterator[str]:
    """The matching service on a free port of 127.0.0.1 (its database migrated, the cut imported),
    for a service that calls its internal territory API; yields its URL."""
    settings = MatchingSettings(
        database_url=database_url,
        migrate_on_start=False,
        internal_token=internal_token,
        intake_url="http://127.0.0.1:9",
        pathways_url="http://127.0.0.1:9",
        database_pool_size=2,
    )
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


TOKEN = "territory-test-token"


@pytest.fixture
async def matching_url(matching_database: str) -> AsyncIterator[str]:
    """Matching on a port, for the tests of a service that asks it about territories (import
    this fixture with ``matching_database``); its internal token is :data:`TOKEN`."""
    async with matching_listening(matching_database, TOKEN) as url:
        yield url
