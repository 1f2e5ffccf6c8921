"""An organisation's territory, by code: checked against matching's territories (a real matching
service on a port, its cut imported) on create and change; unknown, a 422 naming the field;
matching silent, a 503 and nothing stored."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.gateway.__main__ import main
from services.gateway.app import create_app
from services.gateway.db.models import metadata
from tests.conftest import gateway_settings
from tests.gateway.helpers import admin_headers
from tests.matching.conftest import matching_database  # noqa: F401 - the fixture
from tests.matching.territories import TOKEN, matching_url  # noqa: F401 - the fixture
from tests.support import serve, sql, truncate

ROMA = "IT_058091"
ORGANIZATIONS = "/api/v1/organizations"


@pytest.fixture
async def placed(
    gateway_database: str,
    matching_url: str,  # noqa: F811
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway asking a running matching service about territories."""
    await truncate(gateway_database, metadata)
    settings = gateway_settings(
        gateway_database, internal_token=TOKEN, matching_url=matching_url, webhook_deliver=False
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


async def test_the_resolve_command_reads_names_and_lists_the_rest(
    placed: httpx.AsyncClient,
    gateway_database: str,
    matching_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    admin = await admin_headers(placed)
    created = [
        await placed.post(
            ORGANIZATIONS, json={"name": name, "type": "ngo", "municipality": place}, headers=admin
        )
        for name, place in (("Comune di Latina", "LATINA"), ("Atlantide ODV", "Atlantide"))
    ]
    latina, nowhere = (answer.json()["id"] for answer in created)
    for name, value in {
        "PONTE_GATEWAY_DATABASE_URL": gateway_database,
        "PONTE_GATEWAY_MATCHING_URL": matching_url,
        "PONTE_INTERNAL_TOKEN": TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    report = tmp_path / "unresolved.csv"
    # In a thread: the command runs its own event loop.
    assert await asyncio.to_thread(main, ["resolve-territories", "--report", str(report)]) == 0
    printed = capsys.readouterr().out
    assert f"unresolved organization {nowhere} 'Atlantide': no_such_name" in printed
    assert '"resolved": 1' in printed
    read = await placed.get(f"{ORGANIZATIONS}/{latina}", headers=admin)
    assert read.json()["territory_code"] == "IT_059011"
    assert read.headers["etag"] == '"2"'
    with report.open(newline="") as rows:
        assert [row["id"] for row in csv.DictReader(rows)] == [nowhere]
