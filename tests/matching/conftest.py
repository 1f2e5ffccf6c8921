from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from services.matching.app import create_app
from services.matching.db.models import metadata
from services.matching.settings import MatchingSettings
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.matching.esco import import_subset
from tests.matching.territories import import_territory_subset
from tests.support import Org, _dsn, deliver_events, envelope, migrated_database, serve

INTERNAL = "matching-test-token"


@pytest.fixture(scope="session")
async def matching_database(database_factory: DatabaseFactory) -> str:
    url = await migrated_database(database_factory, "matching")
    await import_subset(url)
    await import_territory_subset(url)
    return url


async def empty_cases(url: str) -> None:
    """Every table but the reference data's (ESCO, territories: imported once per session)."""
    tables = ", ".join(
        f'"{table.name}"'
        for table in metadata.sorted_tables
        if not table.name.startswith(("esco_", "territory"))
    )
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


def matching_settings(database_url: str, **overrides: Any) -> MatchingSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "migrate_on_start": False,
        "internal_token": INTERNAL,
        "intake_url": "http://127.0.0.1:9",  # nothing listens: cards cannot be fetched here
        "pathways_url": "http://127.0.0.1:9",
        "referral_expiry_sweep_seconds": 3600,  # a test that needs the sweep sets its own
        # The limit counts from the request's start, a fresh app's taxonomy load included: on a
        # busy CI machine (its offload threads at nice 10) a one-pair allocation once took 13 s.
        # Here no gateway waits; test_allocation_limits sets the limit it tests.
        "allocation_time_limit_seconds": 60.0,
        **overrides,
    }
    return MatchingSettings(**values)


@pytest.fixture
async def matching(matching_database: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    await empty_cases(matching_database)
    settings = matching_settings(matching_database)
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        yield client


@pytest.fixture
def orgs(issuer: TestIssuer) -> tuple[Org, Org, Org]:
    return Org(issuer), Org(issuer), Org(issuer)


async def deliver(client: httpx.AsyncClient, *events: dict[str, Any]) -> None:
    await deliver_events(client, INTERNAL, *events)


async def person(
    client: httpx.AsyncClient,
    owner: Org,
    *,
    consent: bool = True,
    shared_with: tuple[Org, ...] = (),
    beneficiary_id: uuid.UUID | None = None,
    **profile: Any,
) -> uuid.UUID:
    """A person as intake announces them: registered by ``owner``, shared as given."""
    beneficiary_id = beneficiary_id or uuid.uuid4()
    details = {
        "birth_date": "1995-04-17",
        "municipality": "Latina",
        "permit_allows_work": True,
        "languages": [{"code": "it", "level": "B1"}, {"code": "ar", "native": True}],
        "education_level": "3",
        **profile,
    }
    await deliver(
        client,
        envelope(
            "beneficiary.registered",
            {
                "beneficiary_id": str(beneficiary_id),
                "organization_id": str(owner.id),
                "profile": details,
            },
        ),
        envelope(
            "beneficiary.access_changed",
            {
                "beneficiary_id": str(beneficiary_id),
                "owner_organization_id": str(owner.id),
                "grants": [
                    {"organization_id": str(org.id), "sections": ["profile"]} for org in shared_with
                ],
                "matching_consent": consent,
                "version": 1,
            },
        ),
    )
    return beneficiary_id


async def offer(client: httpx.AsyncClient, provider: Org, **fields: Any) -> dict[str, Any]:
    body = {"type": "internship", "title": "Site internship", "seats": 3, "status": "open"}
    answer = await client.post("/api/v1/offers", json={**body, **fields}, headers=provider.provider)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created
