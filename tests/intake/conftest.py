from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.intake.app import create_app
from services.intake.db.models import metadata
from services.intake.settings import IntakeSettings
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.support import migrated_database, serve, truncate


@pytest.fixture(scope="session")
async def intake_database(database_factory: DatabaseFactory) -> str:
    return await migrated_database(database_factory, "intake")


@pytest.fixture
async def intake(intake_database: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """The intake app over ASGI, trusting the test issuer's tokens, on an emptied database."""
    await truncate(intake_database, metadata)
    settings = IntakeSettings(database_url=intake_database, migrate_on_start=False)
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        yield client
