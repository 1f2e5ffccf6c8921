"""End to end through the gateway: people, offers and organisations refer to a territory by code
beside their free-text place name. A code given is checked against matching's territories (an
unknown one is a 422 problem naming the field); a person registered with only a municipality
name gets that municipality's code in matching's read model, where exactly one municipality has
that name."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import bearer, eventually_async, organisation, token
from tests.support import sql

pytestmark = pytest.mark.e2e

PEOPLE = "/api/v1/beneficiaries"
PROBLEM = "application/problem+json"
ROMA = "IT_058091"
LATINA = "IT_059011"


def _created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _person(**fields: Any) -> dict[str, Any]:
    return {
        "given_name": "Amara",
        "family_name": "Diallo",
        "birth_date": "1999-05-02",
        "nationality": "SN",
        **fields,
    }


async def test_people_offers_and_organisations_carry_territory_codes(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Caritas")

        coded = _created(
            client.post(
                PEOPLE,
                json=_person(municipality="Roma, Pigneto", territory_code=ROMA),
                headers=ngo.operator,
            )
        )
        read = client.get(f"{PEOPLE}/{coded['id']}", headers=ngo.operator)
        assert (read.json()["municipality"], read.json()["territory_code"]) == (
            "Roma, Pigneto",
            ROMA,
        )

        unknown = client.post(
            PEOPLE, json=_person(territory_code="IT_999999"), headers=ngo.operator
        )
        assert unknown.status_code == 422
        assert unknown.headers["content-type"] == PROBLEM
        assert [error["field"] for error in unknown.json()["errors"]] == ["body.territory_code"]

        # Only a name: matching's read model of the person reads the one municipality "Roma".
        named = _created(
            client.post(
                PEOPLE, json=_person(municipality="roma", needs=["housing"]), headers=ngo.operator
            )
        )
        assert "territory_code" not in named  # intake stores what was given

        async def mirrored() -> list[Any]:
            return await sql(
                stack.databases["matching"],
                "SELECT territory_code, needs FROM candidate_profile WHERE beneficiary_id = $1",
                uuid.UUID(named["id"]),
            )

        [row] = await eventually_async(mirrored)
        assert (row["territory_code"], list(row["needs"])) == (ROMA, ["housing"])

        # An offer named after a municipality gets its code; a code given is checked.
        offer = _created(
            client.post(
                "/api/v1/offers",
                json={"type": "job", "title": "Kitchen help", "seats": 1, "municipality": "Latina"},
                headers=ngo.admin,
            )
        )
        assert offer["territory_code"] == LATINA
        refused = client.post(
            "/api/v1/offers",
            json={"type": "job", "title": "x", "seats": 1, "territory_code": "ITZ99"},
            headers=ngo.admin,
        )
        assert refused.status_code == 422
        assert [error["field"] for error in refused.json()["errors"]] == ["body.territory_code"]

        # The platform admin places an organisation; matching checks the code.
        root = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
        placed = _created(
            client.post(
                "/api/v1/organizations",
                json={
                    "name": f"Centro per l'impiego {uuid.uuid4().hex[:6]}",
                    "type": "employment_service",
                    "municipality": "Roma",
                    "territory_code": "ITI43",
                },
                headers=root,
            )
        )
        assert placed["territory_code"] == "ITI43"
        nowhere = client.post(
            "/api/v1/organizations",
            json={"name": f"Nowhere {uuid.uuid4().hex[:6]}", "type": "ngo", "territory_code": "XX"},
            headers=root,
        )
        assert nowhere.status_code == 422
        assert [error["field"] for error in nowhere.json()["errors"]] == ["body.territory_code"]
