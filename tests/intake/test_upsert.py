"""Batch upsert by the partner's external_id: each item registers the person, changes the record
the organisation registered under the id (PATCH's rules, PATCH's history and event), or leaves it
unchanged (nothing written); another organisation's ids are never matched; two upserts of one id
at once make one record."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx

from services.intake.service import upsert
from services.intake.service.batch import Limits
from shared.auth import Principal
from shared.auth.principal import PrincipalKind, Role
from shared.db import create_engine, session_factory
from shared.territory_client import TerritoryClient
from tests.intake.conftest import Org, person
from tests.support import sql

URL = "/api/v1/beneficiaries/batch"


async def _upsert(
    intake: httpx.AsyncClient, org: Org, items: list[dict[str, Any]]
) -> dict[str, Any]:
    answer = await intake.post(
        URL, json={"mode": "upsert", "items": items}, headers=org.headers("partner_system")
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _events(url: str) -> list[str]:
    rows = await sql(url, "SELECT type FROM outbox_event ORDER BY seq")
    return [row["type"] for row in rows]


async def test_items_are_created_updated_left_unchanged_or_refused(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    amina = person(given_name="Amina", family_name="Diallo", external_id="u-1")
    omar = person(given_name="Omar", family_name="Haidari", external_id="u-2")
    first = await _upsert(intake, a, [amina, omar])
    assert [r["status"] for r in first["results"]] == ["created", "created"]
    assert first["created"] == 2
    ids = [r["id"] for r in first["results"]]
    assert len(await _events(intake_database)) == 4  # registered and access_changed, each

    second = await _upsert(
        intake,
        a,
        [
            amina,  # as registered
            {**omar, "municipality": "Milano"},
            person(given_name="Yusuf", family_name="Karimi", external_id="u-3"),
            person(given_name="Nobody"),  # no external_id
            {**omar, "given_name": "Omer"},  # repeats item 1
            person(nationality="XY", external_id="u-4"),
        ],
    )
    results = second["results"]
    assert [r["status"] for r in results] == [
        "unchanged",
        "updated",
        "created",
        "error",
        "error",
        "error",
    ]
    assert (second["created"], second["updated"], second["unchanged"]) == (1, 1, 1)
    assert [results[0]["id"], results[1]["id"]] == ids
    assert results[3]["errors"] == [
        {
            "field": "body.items.3.external_id",
            "message": "is required in upsert mode",
            "code": "missing",
        }
    ]
    assert results[4]["errors"][0]["message"] == "repeats item 1 of this batch"
    assert results[4]["problem"]["status"] == 422
    assert results[5]["errors"][0]["field"] == "body.items.5.nationality"
    assert "id" not in results[5] or results[5]["id"] is None
    # The update is PATCH's: a new version, its history, beneficiary.updated; unchanged: nothing.
    assert (await _events(intake_database))[4:] == [
        "beneficiary.updated",
        "beneficiary.registered",
        "beneficiary.access_changed",
    ]
    read = await intake.get(f"/api/v1/beneficiaries/{ids[1]}", headers=a.operator)
    assert read.json()["municipality"] == "Milano"
    assert read.headers["etag"] == '"2"'
    unchanged = await intake.get(f"/api/v1/beneficiaries/{ids[0]}", headers=a.operator)
    assert unchanged.headers["etag"] == '"1"'
    history = await sql(
        intake_database,
        "SELECT action, changes FROM beneficiary_change WHERE beneficiary_id = $1 ORDER BY id",
        uuid.UUID(results[1]["id"]),
    )
    assert [row["action"] for row in history] == ["registered", "updated"]
    assert set(json.loads(history[1]["changes"])) == {"municipality"}
    count = await sql(intake_database, "SELECT count(*) AS n FROM beneficiary")
    assert count[0]["n"] == 3


async def test_another_organisations_id_is_its_own(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, b, _ = orgs
    mine = (await _upsert(intake, a, [person(external_id="shared-7")]))["results"][0]
    theirs = await _upsert(intake, b, [person(given_name="Other", external_id="shared-7")])
    result = theirs["results"][0]
    assert result["status"] == "created"
    assert result["id"] != mine["id"]
    assert mine["id"] not in str(theirs)  # nothing of A's record is told
    read = await intake.get(f"/api/v1/beneficiaries/{mine['id']}", headers=a.operator)
    assert read.json()["given_name"] == "Ahmed"
    assert read.headers["etag"] == '"1"'


async def test_what_patch_refuses_the_upsert_refuses(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    first = await _upsert(
        intake,
        a,
        [
            person(external_id="m-1"),
            person(external_id="m-2", given_name="Ahmad"),
        ],
    )
    kept, gone = (result["id"] for result in first["results"])
    merged = await intake.post(
        f"/api/v1/beneficiaries/{kept}/merge", json={"merged_id": gone}, headers=a.operator
    )
    assert merged.status_code == 200, merged.text
    again = await _upsert(
        intake,
        a,
        [
            person(external_id="m-2", municipality="Torino"),
            person(
                external_id="m-1",
                qualifications=[{"id": "5b8f7f43-6a55-4c07-9f43-0d3b2a3b6b10", "title": "Diploma"}],
            ),
        ],
    )
    merged_item, unknown_qualification = again["results"]
    assert merged_item["status"] == "error"
    assert merged_item["id"] == gone
    assert merged_item["problem"]["status"] == 409
    assert merged_item["problem"]["detail"] == "This record is merged."
    assert unknown_qualification["status"] == "error"
    assert unknown_qualification["id"] == kept
    assert unknown_qualification["errors"][0]["field"].startswith("body.items.1.qualifications.0")


async def test_two_upserts_of_the_same_ids_at_once_make_one_record_each(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    items = [
        person(given_name=f"Person{n}", family_name="Concurrent", external_id=f"c-{n}")
        for n in range(30)
    ]
    first, second = await asyncio.gather(
        _upsert(intake, a, items), _upsert(intake, a, list(reversed(items)))
    )
    count = await sql(intake_database, "SELECT count(*) AS n FROM beneficiary")
    assert count[0]["n"] == 30
    by_id: dict[str, list[str]] = {}
    for result in first["results"] + second["results"]:
        by_id.setdefault(result["id"], []).append(result["status"])
    assert len(by_id) == 30
    assert all(sorted(statuses) == ["created", "unchanged"] for statuses in by_id.values())
    registered = await sql(
        intake_database,
        "SELECT count(*) AS n FROM outbox_event WHERE type = 'beneficiary.registered'",
    )
    assert registered[0]["n"] == 30


async def test_all_or_nothing_is_for_create_mode(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    answer = await intake.post(
        URL,
        json={"mode": "upsert", "all_or_nothing": True, "items": [person(external_id="x")]},
        headers=a.operator,
    )
    assert answer.status_code == 422


async def test_an_upsert_that_loses_the_race_to_insert_updates_the_winners_record(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    """The winner's transaction is held open while the loser's INSERT waits on the unique index;
    once the winner commits, the loser reads its record and reports it, making none of its own."""
    a, _, _ = orgs
    principal = Principal(
        subject="winner",
        kind=PrincipalKind.CLIENT,
        organization_id=a.id,
        roles=frozenset({Role.PARTNER_SYSTEM}),
        issuer="test",
        expires_at=0,
    )
    engine = create_engine(intake_database)
    try:
        async with httpx.AsyncClient() as http, session_factory(engine)() as session:
            matching = TerritoryClient(http, "http://127.0.0.1:9", "unused")
            won = await upsert.upsert_many(
                session,
                principal,
                [person(external_id="race-1")],
                matching=matching,
                limits=Limits(),
            )
            assert won[0]["status"] == "created"
            loser = asyncio.create_task(_upsert(intake, a, [person(external_id="race-1")]))
            await asyncio.sleep(0.5)
            assert not loser.done()  # waiting for the winner's insert
            await session.commit()
            lost = await asyncio.wait_for(loser, 10)
    finally:
        await engine.dispose()
    assert lost["results"][0] == {"index": 0, "status": "unchanged", "id": won[0]["id"]}
    count = await sql(intake_database, "SELECT count(*) AS n FROM beneficiary")
    assert count[0]["n"] == 1
