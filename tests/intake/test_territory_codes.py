"""Where a person lives, by territory code: checked against matching's territories (a real
matching service on a port, its cut imported) on registration, change and batch; unknown, a 422
naming the field; matching silent, a 503 and nothing stored; carried in the events; and the
``resolve`` command for the records named before codes existed."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.intake.app import create_app
from services.intake.db.models import metadata
from services.intake.settings import IntakeSettings
from services.intake.territories.__main__ import main
from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, person, register
from tests.intake.test_invitations import person_headers
from tests.matching.conftest import matching_database  # noqa: F401 - the fixture
from tests.matching.territories import TOKEN, matching_url  # noqa: F401 - the fixture
from tests.support import serve, sql, truncate

ROMA = "IT_058091"
LATINA = "IT_059011"
PEOPLE = "/api/v1/beneficiaries"
PROBLEM = "application/problem+json"


@pytest.fixture
async def placed(
    intake_database: str,
    matching_url: str,  # noqa: F811
    issuer: TestIssuer,
) -> AsyncIterator[httpx.AsyncClient]:
    """Intake asking a running matching service about territories."""
    await truncate(intake_database, metadata)
    settings = IntakeSettings(
        database_url=intake_database,
        migrate_on_start=False,
        relay_events=False,
        internal_token=TOKEN,
        matching_url=matching_url,
        pathways_url="http://127.0.0.1:9",
        gateway_url="http://127.0.0.1:9",
    )
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        yield client


async def _events(database: str, event_type: str) -> list[dict[str, Any]]:
    rows = await sql(
        database, "SELECT payload FROM outbox_event WHERE type = $1 ORDER BY seq", event_type
    )
    return [json.loads(row["payload"]) for row in rows]


async def _count(database: str) -> int:
    return int((await sql(database, "SELECT count(*) AS n FROM beneficiary"))[0]["n"])


def _fields(answer: httpx.Response) -> list[str]:
    assert answer.headers["content-type"] == PROBLEM, answer.text
    return [error["field"] for error in answer.json()["errors"]]


async def test_a_code_is_checked_stored_shown_and_announced(
    placed: httpx.AsyncClient,
    intake_database: str,
    orgs: tuple[Org, Org, Org],
    issuer: TestIssuer,
) -> None:
    owner = orgs[0]
    created = await register(
        placed, owner, municipality="Roma, Tor Pignattara", territory_code=ROMA
    )
    assert (created["municipality"], created["territory_code"]) == ("Roma, Tor Pignattara", ROMA)
    read = await placed.get(f"{PEOPLE}/{created['id']}", headers=owner.operator)
    assert read.json()["territory_code"] == ROMA
    [registered] = await _events(intake_database, "beneficiary.registered")
    assert registered["profile"]["territory_code"] == ROMA
    own = await placed.get(
        "/api/v1/me/profile", headers=person_headers(issuer, owner, created["id"])
    )
    assert own.json()["territory_code"] == ROMA  # the person's own app shows it

    unknown = await placed.post(
        PEOPLE, json=person(territory_code="IT_000000"), headers=owner.operator
    )
    assert unknown.status_code == 422
    assert _fields(unknown) == ["body.territory_code"]
    malformed = await placed.post(
        PEOPLE, json=person(territory_code="roma"), headers=owner.operator
    )
    assert malformed.status_code == 422
    assert _fields(malformed) == ["body.territory_code"]
    assert await _count(intake_database) == 1

    async def patch(body: dict[str, Any]) -> httpx.Response:
        etag = (await placed.get(f"{PEOPLE}/{created['id']}", headers=owner.operator)).headers[
            "etag"
        ]
        return await placed.patch(
            f"{PEOPLE}/{created['id']}", json=body, headers={**owner.operator, "If-Match": etag}
        )

    refused = await patch({"territory_code": "ITZ99"})
    assert refused.status_code == 422
    assert _fields(refused) == ["body.territory_code"]
    moved = await patch({"territory_code": LATINA, "municipality": "Latina"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["territory_code"] == LATINA
    [updated] = await _events(intake_database, "beneficiary.updated")
    assert updated["profile"]["territory_code"] == LATINA
    cleared = await patch({"territory_code": None})
    assert "territory_code" not in cleared.json()


async def test_a_batch_item_with_an_unknown_code_is_invalid_alone(
    placed: httpx.AsyncClient, intake_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    items = [
        person(given_name="Amina", territory_code=ROMA),
        person(given_name="Bilal", territory_code="IT_000000"),
        person(given_name="Chidi"),
    ]
    answer = await placed.post(f"{PEOPLE}/batch", json={"items": items}, headers=orgs[0].operator)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [result["status"] for result in results] == ["created", "invalid", "created"]
    assert [error["field"] for error in results[1]["errors"]] == ["body.items.1.territory_code"]
    rows = await sql(
        intake_database, "SELECT given_name, territory_code FROM beneficiary ORDER BY given_name"
    )
    assert [(row["given_name"], row["territory_code"]) for row in rows] == [
        ("Amina", ROMA),
        ("Chidi", None),
    ]


async def test_matching_silent_is_a_503_and_nothing_is_stored(
    intake: httpx.AsyncClient, intake_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    """``intake``'s matching is a closed port: a code cannot be checked."""
    owner = orgs[0]
    answer = await intake.post(PEOPLE, json=person(territory_code=ROMA), headers=owner.operator)
    assert answer.status_code == 503
    assert answer.headers["content-type"] == PROBLEM
    batch = await intake.post(
        f"{PEOPLE}/batch", json={"items": [person(territory_code=ROMA)]}, headers=owner.operator
    )
    assert batch.status_code == 503
    assert await _count(intake_database) == 0
    assert await _events(intake_database, "beneficiary.registered") == []
    # Without a code nothing is asked.
    created = await register(intake, owner, municipality="Roma")
    assert "territory_code" not in created


async def test_the_resolve_command_reads_names_and_lists_the_rest(
    placed: httpx.AsyncClient,
    intake_database: str,
    matching_url: str,  # noqa: F811
    orgs: tuple[Org, Org, Org],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner = orgs[0]
    rome = await register(placed, owner, given_name="Rania", municipality="ROMA")
    given = await register(
        placed, owner, given_name="Samir", municipality="Roma", territory_code=LATINA
    )
    nowhere = await register(placed, owner, given_name="Tariq", municipality="Atlantide")
    monkeypatch.setenv("PONTE_INTERNAL_TOKEN", TOKEN)
    report = tmp_path / "unresolved.csv"
    arguments = [
        "resolve",
        "--database-url",
        intake_database,
        "--matching-url",
        matching_url,
        "--report",
        str(report),
    ]
    # In a thread: the command runs its own event loop.
    assert await asyncio.to_thread(main, arguments) == 0
    printed = capsys.readouterr().out
    assert f"unresolved beneficiary {nowhere['id']} 'Atlantide': no_such_name" in printed
    assert '"resolved": 1' in printed

    read = await placed.get(f"{PEOPLE}/{rome['id']}", headers=owner.operator)
    assert read.json()["territory_code"] == ROMA
    assert read.headers["etag"] == '"2"'  # a change like any other: a new version
    kept = await placed.get(f"{PEOPLE}/{given['id']}", headers=owner.operator)
    assert kept.json()["territory_code"] == LATINA  # a code given is never overwritten
    [updated] = await _events(intake_database, "beneficiary.updated")
    assert (updated["beneficiary_id"], updated["profile"]["territory_code"]) == (rome["id"], ROMA)
    history = await sql(
        intake_database,
        "SELECT actor, changes FROM beneficiary_change WHERE action = 'updated'",
    )
    assert [row["actor"] for row in history] == ["system:territories-resolve"]
    with report.open(newline="") as rows:
        assert [(row["id"], row["reason"]) for row in csv.DictReader(rows)] == [
            (nowhere["id"], "no_such_name")
        ]

    # Matching silent: the command says so and changes nothing.
    arguments[4] = "http://127.0.0.1:9"
    assert await asyncio.to_thread(main, arguments) == 1
