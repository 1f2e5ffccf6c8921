"""Fixtures shared by the service tests: one migrated database per service per test session,
emptied before each test that uses it."""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import AsyncIterator, Generator

import httpx
import pytest

from services.gateway.app import create_app as create_gateway
from services.gateway.db.models import metadata as gateway_metadata
from services.gateway.settings import GatewaySettings
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.support import migrated_database, serve, truncate

# A test that hangs (waiting on a lock or a peer that never answers) must not eat CI's budget in
# silence. pytest-timeout (pyproject: 300 s) fails it first, inside the test, so its fixtures
# still tear down; this is the last resort where that signal cannot land: every thread's stack to
# stderr and the worker ends. `make test` lets no worker restart, because xdist's scheduler gives
# a crashed worker's unfinished tests, the hung test included, to its replacement: a test
# that hangs every time would have been re-run until CI's deadline.
TEST_WATCHDOG_SECONDS = 600

ADMIN_EMAIL = "admin@ponte.test"
ADMIN_PASSWORD = "bootstrap-root-passphrase"


@pytest.fixture(scope="session")
async def gateway_database(database_factory: DatabaseFactory) -> str:
    return await migrated_database(database_factory, "gateway")


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


def gateway_settings(database_url: str, **overrides: object) -> GatewaySettings:
    values: dict[str, object] = {
        "database_url": database_url,
        "migrate_on_start": False,
        "bootstrap_admin_email": ADMIN_EMAIL,
        "bootstrap_admin_password": ADMIN_PASSWORD,
        "auth_issuer": "http://gateway.test",
        "log_format": "console",
        **overrides,
    }
    return GatewaySettings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def gateway(gateway_database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway app (identity) over ASGI, on an emptied database, bootstrap admin created."""
    await truncate(gateway_database, gateway_metadata)
    async with serve(create_gateway(gateway_settings(gateway_database))) as client:
        yield client


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    faulthandler.dump_traceback_later(TEST_WATCHDOG_SECONDS, exit=True, file=sys.stderr)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
