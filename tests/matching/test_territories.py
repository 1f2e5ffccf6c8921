"""``GET /api/v1/territories`` and ``/{code}`` over the imported cut: filters, name prefixes
whatever the case, accents and script, keyset pages, the parent chain, caching and refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.matching.app import create_app
from shared.testing.tokens import TestIssuer
from tests.matching.conftest import matching_settings
from tests.support import serve

TERRITORIES = "/api/v1/territories"


@pytest.fixture(scope="module")
async def client(matching_database: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """Read-only: one app for the module, over the session's imported cut."""
    app = create_app(matching_settings(matching_database), verifier=issuer.verifier_factory())
    async with serve(app) as client:
        client.headers.update(issuer.headers(roles=("beneficiary",)))
        yield client


async def _codes(client: httpx.AsyncClient, **params: Any) -> list[str]:
    answer = await client.get(TERRITORIES, params=params)
    assert answer.status_code == 200, answer.text
    return [item["code"] for item in answer.json()["items"]]


async def test_the_provinces_of_lazio_alphabetically(client: httpx.AsyncClient) -> None:
    answer = await client.get(TERRITORIES, params={"parent": "ITI4"})
    items = answer.json()["items"]
    assert [item["name_latin"] for item in items] == [
        "Frosinone",
        "Latina",
        "Rieti",
        "Roma",
        "Viterbo",
    ]
    assert items[3] == {
        "code": "ITI43",
        "scheme": "nuts",
        "level": 3,
        "parent_code": "ITI4",
        "country": "IT",
        "name_latin": "Roma",
        "name_national": "Roma",
    }
    assert answer.json()["next_cursor"] is None
    assert answer.headers["cache-control"] == "private, max-age=3600"


async def test_a_name_prefix_whatever_the_case_accents_and_script(
    client: httpx.AsyncClient,
) -> None:
    # The province before the municipality (broader units first).
    assert await _codes(client, q="ROMA") == ["ITI43", "IT_058091"]
    assert await _codes(client, q="roma", level=4) == ["IT_058091"]
    assert await _codes(client, q="KYPROS", level=0) == ["CY"]
    assert await _codes(client, q="κύπ", level=0) == ["CY"]  # the national script
    assert await _codes(client, q="Kýp", level=3) == ["CY000"]
    assert await _codes(client, q="val-d’o") == ["FR108"]
    assert await _codes(client, q="  ") == []
    assert await _codes(client, q="zzz") == []


async def test_keyset_pages_list_every_unit_once(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"parent": "ITI43", "limit": 50}
    pages = 0
    while True:
        answer = (await client.get(TERRITORIES, params=params)).json()
        seen += [item["code"] for item in answer["items"]]
        pages += 1
        if answer["next_cursor"] is None:
            break
        params["cursor"] = answer["next_cursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 121


async def test_one_unit_with_its_parents(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"{TERRITORIES}/IT_058091")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["name_latin"], body["parent_code"]) == ("Roma", "ITI43")
    assert [parent["code"] for parent in body["parents"]] == ["ITI43", "ITI4", "ITI", "IT"]
    again = await client.get(
        f"{TERRITORIES}/IT_058091", headers={"If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304
    country = (await client.get(f"{TERRITORIES}/IT")).json()
    assert (country["parent_code"], country["parents"]) == (None, [])


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (f"{TERRITORIES}/ITZZZ", {}, 404),
        (f"{TERRITORIES}/IT_999999", {}, 404),
        (f"{TERRITORIES}/iti43", {}, 422),
        (TERRITORIES, {"level": 5}, 422),
        (TERRITORIES, {"level": "x"}, 422),
        (TERRITORIES, {"parent": "not a code"}, 422),
        (TERRITORIES, {"cursor": "forged"}, 422),
        (TERRITORIES, {"country": "IT"}, 422),  # an undeclared parameter
    ],
)
async def test_refusals_are_problems(
    client: httpx.AsyncClient, path: str, params: dict[str, Any], status: int
) -> None:
    answer = await client.get(path, params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
