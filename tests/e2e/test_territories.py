"""End to end through the gateway: the territories imported from the committed cut, read as an
operator would pick a place: Lazio's provinces, Roma typed any old way, a long list paged, and
the refusals as problems."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import organisation

pytestmark = pytest.mark.e2e

TERRITORIES = "/api/v1/territories"
PROBLEM = "application/problem+json"


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_an_operator_finds_places_by_parent_name_and_code(stack: Stack) -> None:
    with stack.client() as client:
        headers = organisation(client, "Caritas").operator

        lazio = _ok(client.get(TERRITORIES, params={"parent": "ITI4"}, headers=headers))
        assert [(item["code"], item["name_latin"]) for item in lazio["items"]] == [
            ("ITI45", "Frosinone"),
            ("ITI44", "Latina"),
            ("ITI42", "Rieti"),
            ("ITI43", "Roma"),
            ("ITI41", "Viterbo"),
        ]
        assert {item["level"] for item in lazio["items"]} == {3}

        # Typed without capitals, one accent too many: the province, then the municipality.
        found = _ok(client.get(TERRITORIES, params={"q": "rÓm"}, headers=headers))
        assert [item["code"] for item in found["items"]][:2] == ["ITI43", "IT_058091"]
        roma = _ok(client.get(f"{TERRITORIES}/IT_058091", headers=headers))
        assert (roma["scheme"], roma["level"], roma["parent_code"]) == ("lau", 4, "ITI43")
        assert [parent["code"] for parent in roma["parents"]] == ["ITI43", "ITI4", "ITI", "IT"]

        # The 121 municipalities of Roma's province, 50 at a time, each once.
        codes: list[str] = []
        params: dict[str, Any] = {"parent": "ITI43", "level": 4, "limit": 50}
        while True:
            page = _ok(client.get(TERRITORIES, params=params, headers=headers))
            codes += [item["code"] for item in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
        assert len(codes) == len(set(codes)) == 121
        assert "IT_058091" in codes

        unknown = client.get(f"{TERRITORIES}/ITZ99", headers=headers)
        assert (unknown.status_code, unknown.headers["content-type"]) == (404, PROBLEM)
        assert unknown.json()["status"] == 404
        bad_level = client.get(TERRITORIES, params={"level": 7}, headers=headers)
        assert (bad_level.status_code, bad_level.headers["content-type"]) == (422, PROBLEM)
        assert client.get(TERRITORIES).status_code == 401
