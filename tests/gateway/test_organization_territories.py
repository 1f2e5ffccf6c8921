"""An organisation's territory, by code: checked against matching's territories (a real matching
service on a port, its cut imported) on create and change; unknown, a 422 naming the field;
matching silent, a 503 and nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from tests.conftest import gateway_settings
from tests.gateway.helpers import admin_headers
from tests.matching.conftest import matching_database  # noqa: F401 - the fixture
from tests.matching.territories import matching_listening
from tests.support import serve, sql, truncate

TOKEN = "territory-test-token"
ROMA = "IT_058091"
ORGANIZATIONS = "/api/v1/organizations"


@pytest.fixture
async def placed(
    gateway_database: str,
    matching_database: str,  # noqa: F811
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway asking a running matching service about territories."""
    await truncate(gateway_database, metadata)
    async with matching_listening(matching_database, TOKEN) as matching_url:
        settings = gateway_settings(
            gateway_database,
            internal_token=TOKEN,
            matching_url=matching_url,
            webhook_deliver=False,
        )
        async with serve(create_app(settings)) as client:
            yield client


async def test_a_code_is_checked_stored_and_shown(
    placed: httpx.AsyncClient, gateway_database: str
) -> None:
    admin = await admin_headers(placed)
    body = {"name": "Caritas Roma", "type": "ngo", "municipality": "Roma", "territory_code": ROMA}
    created = await placed.post(ORGANIZATIONS, json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["territory_code"] == ROMA
    url = f"{ORGANIZATIONS}/{created.json()['id']}"
    assert (await placed.get(url, headers=admin)).json()["territory_code"] == ROMA

    unknown = await placed.post(
        ORGANIZATIONS,
        json={"name": "Nowhere", "type": "ngo", "territory_code": "IT_000000"},
        headers=admin,
    )
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in unknown.json()["errors"]] == ["body.territory_code"]
    assert await sql(gateway_database, "SELECT 1 FROM organization WHERE name = 'Nowhere'") == []

    etag = created.headers["etag"]
    refused = await placed.patch(
        url, json={"territory_code": "ITZ99"}, headers={**admin, "If-Match": etag}
    )
    assert refused.status_code == 422
    moved = await placed.patch(
        url, json={"territory_code": "ITI44"}, headers={**admin, "If-Match": etag}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["territory_code"] == "ITI44"  # a NUTS region is a territory too
    cleared = await placed.patch(
        url, json={"territory_code": None}, headers={**admin, "If-Match": moved.headers["etag"]}
    )
    assert cleared.json()["territory_code"] is None


@pytest.fixture
async def gateway(gateway_database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway, its matching a closed port."""
    await truncate(gateway_database, metadata)
    settings = gateway_settings(
        gateway_database, matching_url="http://127.0.0.1:9", webhook_deliver=False
    )
    async with serve(create_app(settings)) as client:
        yield client


async def test_matching_silent_is_a_503_and_nothing_is_stored(
    gateway: httpx.AsyncClient, gateway_database: str
) -> None:
    """A code cannot be checked; without one, nothing is asked."""
    admin = await admin_headers(gateway)
    answer = await gateway.post(
        ORGANIZATIONS, json={"name": "Silent", "type": "ngo", "territory_code": ROMA}, headers=admin
    )
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert await sql(gateway_database, "SELECT 1 FROM organization WHERE name = 'Silent'") == []
    plain = await gateway.post(ORGANIZATIONS, json={"name": "Plain", "type": "ngo"}, headers=admin)
    assert plain.status_code == 201
    assert plain.json()["territory_code"] is None
