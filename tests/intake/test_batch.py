"""Bulk registration with per-item results."""

from __future__ import annotations

import httpx

from tests.intake.conftest import Org, person
from tests.support import sql


async def test_mixed_batch_registers_the_valid_items(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    items = [
        person(given_name="Amina", family_name="Diallo", external_id="p-1"),
        person(nationality="XY", external_id="p-2"),
        person(given_name="Aminah", family_name="Diallo", external_id="p-3"),
        person(external_id="p-1"),
    ]
    answer = await intake.post(
        "/api/v1/beneficiaries/batch", json={"items": items}, headers=a.headers("partner_system")
    )
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [result["status"] for result in results] == [
        "possible_duplicate",
        "invalid",
        "possible_duplicate",
        "conflict",
    ]
    assert results[1]["errors"][0]["field"] == "body.items.1.nationality"
    assert answer.json()["created"] == 2
    assert (await sql(intake_database, "SELECT count(*) AS n FROM beneficiary"))[0]["n"] == 2
    events = await sql(intake_database, "SELECT count(*) AS n FROM outbox_event")
    assert events[0]["n"] == 4


async def test_all_or_nothing_writes_nothing_when_an_item_fails(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    body = {"all_or_nothing": True, "items": [person(), person(birth_date="2099-01-01")]}
    answer = await intake.post("/api/v1/beneficiaries/batch", json=body, headers=a.operator)
    assert answer.status_code == 422
    problem = answer.json()
    assert [result["status"] for result in problem["results"]] == ["not_created", "invalid"]
    assert problem["errors"][0]["field"] == "body.items.1.birth_date"
    assert (await sql(intake_database, "SELECT count(*) AS n FROM beneficiary"))[0]["n"] == 0


async def test_batch_limits(intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]) -> None:
    a, _, _ = orgs
    too_many = await intake.post(
        "/api/v1/beneficiaries/batch",
        json={"items": [{"given_name": "A"}] * 10_001},
        headers=a.operator,
    )
    assert too_many.status_code == 422  # more than a job takes
    assert too_many.json()["errors"][0]["field"] == "body.items"
    empty = await intake.post("/api/v1/beneficiaries/batch", json={"items": []}, headers=a.operator)
    assert empty.status_code == 422
