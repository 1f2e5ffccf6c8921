"""Places read as territory codes in matching: the internal check and resolution the other
services call, the read model of a person (the code given, else the municipality's where one LAU
has that name; and the needs), offers' codes, and the ``resolve`` command for rows named before
territories existed."""

from __future__ import annotations

import asyncio
import csv
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.matching.territories.__main__ import main
from tests.matching.conftest import INTERNAL, offer, person
from tests.support import Org, sql

ROMA = "IT_058091"
LATINA = "IT_059011"
INTERNAL_HEADERS = {"Authorization": f"Bearer {INTERNAL}"}
# Two municipalities with one name, in two provinces: a name that cannot be read alone.
AMBIGUOUS = [("IT_999001", "ITI43"), ("IT_999002", "ITI44")]


@pytest.fixture
async def castro(matching_database: str) -> AsyncIterator[str]:
    """Two LAU named "Castro" beside the imported cut, for this test only."""
    for code, parent in AMBIGUOUS:
        await sql(
            matching_database,
            "INSERT INTO territory (code, scheme, level, parent_code, country, name_latin,"
            " name_national, name_key, national_key)"
            " VALUES ($1, 'lau', 4, $2, 'IT', 'Castro', 'Castro', 'castro', 'castro')",
            code,
            parent,
        )
    try:
        yield "Castro"
    finally:
        await sql(matching_database, "DELETE FROM territory WHERE code LIKE 'IT_999%'")


async def test_the_internal_check_says_which_codes_exist(matching: httpx.AsyncClient) -> None:
    answer = await matching.post(
        "/internal/territories/check",
        json={"codes": [ROMA, "ITI43", "IT_000000", "ZZ"]},
        headers=INTERNAL_HEADERS,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"known": ["ITI43", ROMA]}
    refused = await matching.post("/internal/territories/check", json={"codes": [ROMA]})
    assert refused.status_code == 401


async def test_names_resolve_when_unique_and_not_when_ambiguous_or_unknown(
    matching: httpx.AsyncClient, castro: str
) -> None:
    answer = await matching.post(
        "/internal/territories/resolve",
        json={"names": ["ROMA", "latína ", castro, "Atlantis", "Roma"]},
        headers=INTERNAL_HEADERS,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # Roma is a province (NUTS 3) and a municipality: only municipalities are read.
    assert body["codes"] == {
        "ROMA": ROMA,
        "latína ": LATINA,
        "Castro": None,
        "Atlantis": None,
        "Roma": ROMA,
    }
    assert body["candidates"] == {
        "Castro": [
            {"code": "IT_999001", "name_latin": "Castro", "parent_code": "ITI43"},
            {"code": "IT_999002", "name_latin": "Castro", "parent_code": "ITI44"},
        ]
    }


async def _stored(url: str, beneficiary_id: uuid.UUID) -> tuple[str | None, list[str]]:
    rows = await sql(
        url,
        "SELECT territory_code, needs FROM candidate_profile WHERE beneficiary_id = $1",
        beneficiary_id,
    )
    return rows[0]["territory_code"], list(rows[0]["needs"])


async def test_the_read_model_keeps_the_code_given_or_reads_the_municipality(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org], castro: str
) -> None:
    owner = orgs[0]
    given = await person(
        matching, owner, municipality="Roma centro", territory_code=ROMA, needs=["housing"]
    )
    assert await _stored(matching_database, given) == (ROMA, ["housing"])
    read = await person(matching, owner, municipality="latina", needs=["language", "employment"])
    assert await _stored(matching_database, read) == (LATINA, ["language", "employment"])
    for unread in (castro, "Nowhere"):
        somebody = await person(matching, owner, municipality=unread)
        assert (await _stored(matching_database, somebody))[0] is None
    assert await _stored(matching_database, await person(matching, owner, municipality=None)) == (
        None,
        [],
    )
    # An update moves the person: the read model follows.
    await person(matching, owner, beneficiary_id=read, municipality="Roma", needs=[])
    assert await _stored(matching_database, read) == (ROMA, [])


async def _offer(client: httpx.AsyncClient, offer_id: str, headers: dict[str, str]) -> Any:
    answer = await client.get(f"/api/v1/offers/{offer_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer


async def _patch(
    client: httpx.AsyncClient, provider: Org, offer_id: str, body: dict[str, Any]
) -> httpx.Response:
    etag = (await _offer(client, offer_id, provider.provider)).headers["etag"]
    return await client.patch(
        f"/api/v1/offers/{offer_id}", json=body, headers={**provider.provider, "If-Match": etag}
    )


async def test_offers_carry_a_code_given_or_read_from_their_municipality(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider = orgs[0]
    given = await offer(matching, provider, municipality="Roma, Esquilino", territory_code=ROMA)
    assert given["territory_code"] == ROMA
    read = await offer(matching, provider, municipality="Latina")
    assert read["territory_code"] == LATINA
    assert (await offer(matching, provider, municipality="Atlantis"))["territory_code"] is None

    unknown = await matching.post(
        "/api/v1/offers",
        json={"type": "job", "title": "x", "seats": 1, "territory_code": "IT_000000"},
        headers=provider.provider,
    )
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in unknown.json()["errors"]] == ["body.territory_code"]
    malformed = await matching.post(
        "/api/v1/offers",
        json={"type": "job", "title": "x", "seats": 1, "territory_code": "roma"},
        headers=provider.provider,
    )
    assert malformed.status_code == 422
    assert [e["field"] for e in malformed.json()["errors"]] == ["body.territory_code"]

    # A new name re-reads a code read from the old one; a code given stays.
    moved = await _patch(matching, provider, read["id"], {"municipality": "Roma"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["territory_code"] == ROMA
    kept = await _patch(matching, provider, given["id"], {"municipality": "Roma, Termini"})
    assert kept.json()["territory_code"] == ROMA
    changed = await _patch(matching, provider, given["id"], {"territory_code": LATINA})
    assert changed.json()["territory_code"] == LATINA
    cleared = await _patch(matching, provider, given["id"], {"territory_code": None})
    assert cleared.json()["territory_code"] is None  # "Roma, Termini" is no municipality's name
    refused = await _patch(matching, provider, read["id"], {"territory_code": "IT_000000"})
    assert refused.status_code == 422
    assert (await _offer(matching, read["id"], provider.provider)).json()["territory_code"] == ROMA


async def test_the_resolve_command_fills_what_it_can_and_lists_the_rest(
    matching: httpx.AsyncClient,
    matching_database: str,
    orgs: tuple[Org, Org, Org],
    castro: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    provider = orgs[0]
    roma = await offer(matching, provider, municipality="Roma")
    ambiguous = await offer(matching, provider, municipality=castro)
    rome = await person(matching, provider, municipality="roma")
    nowhere = await person(matching, provider, municipality="Atlantis")
    # As before territories existed: names without codes.
    await sql(matching_database, "UPDATE offer SET territory_code = NULL")
    await sql(matching_database, "UPDATE candidate_profile SET territory_code = NULL")

    report = tmp_path / "unresolved.csv"
    arguments = ["resolve", "--database-url", matching_database, "--report", str(report)]
    # In a thread: the command runs its own event loop.
    assert await asyncio.to_thread(main, arguments) == 0
    printed = capsys.readouterr().out
    assert f"unresolved offer {ambiguous['id']} 'Castro': ambiguous: IT_999001" in printed
    assert f"unresolved candidate_profile {nowhere} 'Atlantis': no_such_name" in printed
    assert '"offer": 1' in printed
    assert '"candidate_profile": 1' in printed

    read = await _offer(matching, roma["id"], provider.provider)
    assert read.json()["territory_code"] == ROMA
    assert read.headers["etag"] == '"2"'  # a change of the offer: a new version
    assert (await _stored(matching_database, rome))[0] == ROMA
    with report.open(newline="") as rows:
        listed = list(csv.DictReader(rows))
    assert [(row["kind"], row["id"], row["reason"]) for row in listed] == [
        ("offer", ambiguous["id"], "ambiguous"),
        ("candidate_profile", str(nowhere), "no_such_name"),
    ]
    assert listed[0]["candidates"] == "IT_999001 (Castro, in ITI43); IT_999002 (Castro, in ITI44)"

    # Run again: nothing left to read, the same rows listed.
    assert await asyncio.to_thread(main, arguments[:3]) == 0
    assert '"offer": 0' in capsys.readouterr().out
