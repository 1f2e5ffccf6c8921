"""Helpers for the service tests: migrated databases, apps run with their lifespan over ASGI."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from pydantic import BaseModel
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url

from shared.app import ServiceApp
from shared.migrations import upgrade_url
from shared.testing.tokens import TestIssuer

ROOT = Path(__file__).resolve().parent.parent


def migrations(service: str) -> Path:
    return ROOT / "services" / service / "migrations"


async def migrated_database(database_factory: object, service: str) -> str:
    url: str = await database_factory(service)  # type: ignore[operator]
    await upgrade_url(url, migrations(service))
    return url


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def truncate(url: str, metadata: MetaData) -> None:
    """Empty every table of a service, so each test starts clean without re-migrating."""
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    if not tables:
        return
    connection = await asyncpg.connect(_dsn(url))
    try:
        # A connection an earlier test's app left in a transaction (its shutdown cancelled under
        # load) would make TRUNCATE wait forever: wait a while, then end the leftovers and retry.
        await connection.execute("SET lock_timeout = '20s'")
        try:
            await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        except asyncpg.LockNotAvailableError:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


async def connect(url: str) -> asyncpg.Connection:
    """A connection of the test's own to a service's database (to hold a lock, say)."""
    return await asyncpg.connect(_dsn(url))


async def sql(url: str, query: str, *args: object) -> list[asyncpg.Record]:
    """Look in a service's database directly (to check what is stored, e.g. after erasure)."""
    connection = await asyncpg.connect(_dsn(url))
    try:
        rows: list[asyncpg.Record] = await connection.fetch(query, *args)
        return rows
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def serve(
    app: ServiceApp, base_url: str = "http://testserver"
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running, and an HTTP client speaking to it over ASGI."""
    async with app.api.router.lifespan_context(app.api):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


@dataclass
class Org:
    """An organisation's people, as tokens: one operator (``operator_id``), admins and providers."""

    issuer: TestIssuer
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    operator_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def headers(self, *roles: str, subject: str | None = None) -> dict[str, str]:
        return self.issuer.headers(
            roles=roles or ("operator",),
            organization_id=self.id,
            subject=subject or self.operator_id,
        )

    @property
    def operator(self) -> dict[str, str]:
        return self.headers("operator")

    @property
    def admin(self) -> dict[str, str]:
        return self.headers("org_admin", subject=str(uuid.uuid4()))

    @property
    def provider(self) -> dict[str, str]:
        return self.headers("provider")


def envelope(event_type: str, payload: dict[str, Any], source: str = "intake") -> dict[str, Any]:
    """An event as the producing service's relay sends it."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "source": source,
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": payload,
    }


async def deliver_events(client: httpx.AsyncClient, token: str, *events: dict[str, Any]) -> None:
    """Events delivered to a service the way a relay does."""
    answer = await client.post(
        "/internal/events",
        json={"events": list(events)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text


def as_documented(model: type[BaseModel], body: Any) -> Any:
    """``body`` (an answer written as JSON directly, not through its model), checked against the
    model its OpenAPI documents: it validates, and names no member the model does not declare."""
    model.model_validate(body)
    declared = {field.alias or name for name, field in model.model_fields.items()}
    assert set(body) <= declared, f"undocumented members: {sorted(set(body) - declared)}"
    return body
