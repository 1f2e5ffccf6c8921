"""Which PostgreSQL the tests use: ``PONTE_TEST_DATABASE_URL`` when set, else a testcontainers
PostgreSQL when a Docker engine answers, else an embedded pgserver in a temporary directory."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from shared.embedded import start_embedded
from shared.logging import get_logger

_log = get_logger("ponte.testing")


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
    except Exception:  # no engine, no socket, no permission: all mean "no Docker here"
        return False
    return True


@contextlib.contextmanager
def postgres_for_tests() -> Iterator[tuple[str, str]]:
    """Yields (server URL, where it came from)."""
    configured = os.environ.get("PONTE_TEST_DATABASE_URL")
    if configured:
        yield configured, "PONTE_TEST_DATABASE_URL"
        return
    if _docker_answers():
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url(), "testcontainers"
        return
    with tempfile.TemporaryDirectory(prefix="ponte-pg-") as directory:
        os.chmod(directory, 0o755)  # noqa: S103 - pgserver runs the server as its own user under root
        server, url = start_embedded(Path(directory) / "data", cleanup="delete")
        try:
            yield url, "pgserver"
        finally:
            server.cleanup()
