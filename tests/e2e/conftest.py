"""The whole stack as real uvicorn processes on free ports, each service on its own fresh database,
driven only over HTTP through the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared.testing.plugin import DatabaseFactory
from tests.matching.esco import import_subset
from tests.matching.territories import import_territory_subset
from tests.support import migrated_database
from tools.processes import SERVICES, ServiceProcess, running_services

ADMIN_EMAIL = "root@ponte.e2e"
ADMIN_PASSWORD = "e2e-bootstrap-password"
# Several stacks share the machine's PostgreSQL (max_connections 100) in one run: the e2e stack,
# the fuzzing stack, the edge tests' replicas, beside the in-process tests. Six connections a
# service is plenty for a test's load (calls beyond wait for one), and keeps them all under it.
SMALL_POOLS = {f"PONTE_{name.upper()}_DATABASE_POOL_SIZE": "6" for name in SERVICES}


@dataclass
class Stack:
    processes: dict[str, ServiceProcess]
    databases: dict[str, str]
    logs: Path
    documents: Path | None = None  # intake's file store, when the stack chose one

    @property
    def gateway(self) -> str:
        return self.processes["gateway"].url

    def client(self, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(base_url=self.gateway, timeout=timeout)

    def log_text(self, service: str) -> str:
        return (self.logs / f"{service}.log").read_text()


async def fresh_databases(database_factory: DatabaseFactory) -> dict[str, str]:
    """A migrated database per service, with the ESCO subset and the territories' cut in
    matching's (as `make run`)."""
    urls = {name: await migrated_database(database_factory, name) for name in SERVICES}
    await import_subset(urls["matching"])
    await import_territory_subset(urls["matching"])
    return urls


@pytest.fixture(scope="session")
async def stack_databases(database_factory: DatabaseFactory) -> dict[str, str]:
    return await fresh_databases(database_factory)


@pytest.fixture(scope="session")
def stack(
    stack_databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("stack-logs")
    documents = tmp_path_factory.mktemp("stack-documents")
    extra = {
        "PONTE_INTAKE_DOCUMENT_STORE_URL": documents.as_uri(),
        "PONTE_BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
        "PONTE_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PONTE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS": "5",
        # Every module signs in from 127.0.0.1, and several fail sign-ins on purpose: the
        # per-address brakes (tests/gateway/test_throttling.py, test_ratelimit.py, and end to end
        # test_http_edge.py on its own stack) would make unrelated modules block each other.
        "PONTE_GATEWAY_LOGIN_FREE_ATTEMPTS_PER_ADDRESS": "100000",
        "PONTE_GATEWAY_RATE_LIMIT_TOKEN_PER_MINUTE": "0",
        # Webhook receivers run in the tests, on 127.0.0.1; retries come quickly.
        "PONTE_GATEWAY_WEBHOOK_ALLOW_LOOPBACK": "true",
        "PONTE_GATEWAY_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
        "PONTE_GATEWAY_WEBHOOK_RETRY_CAP_SECONDS": "1",
        "PONTE_GATEWAY_WEBHOOK_POLL_SECONDS": "0.2",
        "PONTE_LOG_FORMAT": "json",
        **SMALL_POOLS,
    }
    with running_services(stack_databases, logs, extra) as processes:
        yield Stack(processes=processes, databases=stack_databases, logs=logs, documents=documents)
