from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.intake.app import create_app
from services.intake.db.models import metadata
from services.intake.schemas.beneficiary import EXAMPLE
from services.intake.settings import IntakeSettings
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.dates import as_of_today
from tests.support import migrated_database, serve, truncate


@pytest.fixture(scope="session")
async def intake_database(database_factory: DatabaseFactory) -> str:
    return await migrated_database(database_factory, "intake")


@pytest.fixture
async def intake(
    intake_database: str, issuer: TestIssuer, document_root: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The intake app over ASGI, trusting the test issuer's tokens, on an emptied database; its
    events stay in the outbox (no other service runs here); documents in ``document_root``."""
    await truncate(intake_database, metadata)
    settings = IntakeSettings(
        document_store_url=document_root.as_uri(),
        database_url=intake_database,
        migrate_on_start=False,
        relay_events=False,
        internal_token="test-internal-token",
        pathways_url="http://127.0.0.1:9",  # nothing listens: exports say so in their manifest
        matching_url="http://127.0.0.1:9",
        gateway_url="http://127.0.0.1:9",  # emergency entitlements: tests/intake/test_emergency
    )
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        yield client


@pytest.fixture
def document_root(tmp_path: Path) -> Path:
    """The local file store of the test's intake app: check there what is stored."""
    return tmp_path / "documents"


@dataclass
class Org:
    """An organisation's people, as tokens."""

    issuer: TestIssuer
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    def headers(self, *roles: str, **extra: str) -> dict[str, str]:
        return {
            **self.issuer.headers(roles=roles or ("operator",), organization_id=self.id),
            **extra,
        }

    @property
    def operator(self) -> dict[str, str]:
        return self.headers("operator")

    @property
    def admin(self) -> dict[str, str]:
        return self.headers("org_admin")


@pytest.fixture
def orgs(issuer: TestIssuer) -> tuple[Org, Org, Org]:
    return Org(issuer), Org(issuer), Org(issuer)


def person(**overrides: Any) -> dict[str, Any]:
    """A valid registration body: the young Egyptian bricklayer of the intake issue (the example
    the OpenAPI document shows)."""
    return {**as_of_today(EXAMPLE), **overrides}


async def register(client: httpx.AsyncClient, org: Org, **overrides: Any) -> dict[str, Any]:
    answer = await client.post(
        "/api/v1/beneficiaries", json=person(**overrides), headers=org.operator
    )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created
