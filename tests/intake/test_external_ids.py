"""A partner's own ids: `GET /beneficiaries?external_id=` finds the person the caller's
organisation registered under its system's id (never another organisation's, even one shared
with it), and registering an id again answers 409 naming the person, single or in a batch, so a
partner's retry finds its record instead of a dead end."""

from __future__ import annotations

from typing import Any

import httpx

from tests.intake.conftest import Org, person, register
from tests.intake.test_sharing import _sharing
from tests.support import sql

URL = "/api/v1/beneficiaries"


async def _lookup(intake: httpx.AsyncClient, org: Org, external_id: str) -> list[dict[str, Any]]:
    answer = await intake.get(URL, params={"external_id": external_id}, headers=org.operator)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_the_lookup_finds_the_organisations_own_record_only(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    mine = await register(intake, a, given_name="Amina", external_id="caritas-1041")
    await register(intake, a, given_name="Omar", external_id="caritas-1042")
    theirs = await register(intake, b, given_name="Amina", external_id="caritas-1041")
    # A shares its Amina with B: B's lookup still finds only what B registered under the id.
    shared = await intake.post(
        f"{URL}/{mine['id']}/consents", json=_sharing(b, ["identity"]), headers=a.operator
    )
    assert shared.status_code == 201, shared.text

    assert [item["id"] for item in await _lookup(intake, a, "caritas-1041")] == [mine["id"]]
    assert [item["id"] for item in await _lookup(intake, b, "caritas-1041")] == [theirs["id"]]
    assert await _lookup(intake, b, "caritas-1042") == []  # A's other id: not B's to find
    assert await _lookup(intake, a, " caritas-1041 ") != []  # trimmed, as it was stored
    blank = await intake.get(URL, params={"external_id": " "}, headers=a.operator)
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "query.external_id"


async def test_registering_an_id_again_names_the_person_it_belongs_to(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    first = await register(intake, a, external_id="caritas-7")
    again = await intake.post(
        URL,
        json=person(external_id="caritas-7", given_name="Other"),
        headers=a.headers("partner_system"),
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["existing_id"] == first["id"]
    assert again.headers["location"] == f"{URL}/{first['id']}"
    count = await sql(intake_database, "SELECT count(*) AS n FROM beneficiary")
    assert count[0]["n"] == 1

    items = [person(given_name="New", external_id="caritas-8"), person(external_id="caritas-7"),
             person(given_name="Twice", external_id="caritas-8")]  # fmt: skip
    batch = await intake.post(
        f"{URL}/batch", json={"items": items}, headers=a.headers("partner_system")
    )
    assert batch.status_code == 200, batch.text
    results = batch.json()["results"]
    assert [result["status"] for result in results] == ["created", "conflict", "conflict"]
    assert results[1]["existing_id"] == first["id"]
    assert results[1]["errors"][0]["field"] == "body.items.1.external_id"
    assert results[2].get("existing_id") is None  # repeats an item of this batch, not a record
    whole = await intake.post(
        f"{URL}/batch",
        json={"all_or_nothing": True, "items": [person(external_id="caritas-7")]},
        headers=a.headers("partner_system"),
    )
    assert whole.status_code == 422
    assert whole.json()["results"][0]["existing_id"] == first["id"]
