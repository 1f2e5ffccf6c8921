"""Idempotency-Key on intake's POSTs: replays, reuse with another request, errors not kept,
a first attempt still running, expiry and purge, erasure of stored answers."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import asyncpg
import httpx
import pytest

from services.intake.db.models import idempotency as records
from shared import idempotency
from shared.db import create_engine, session_factory
from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, person
from tests.support import _dsn, sql

BENEFICIARIES = "/api/v1/beneficiaries"


def caller(org: Org, subject: str, *roles: str, key: str | None = None) -> dict[str, str]:
    """A fresh token for one user (a retry may come with a refreshed token: same subject)."""
    issuer: TestIssuer = org.issuer
    headers = issuer.headers(roles=roles or ("operator",), organization_id=org.id, subject=subject)
    return {**headers, "Idempotency-Key": key} if key else headers


async def count(url: str, table: str) -> int:
    return int((await sql(url, f"SELECT count(*) AS n FROM {table}"))[0]["n"])  # noqa: S608


async def test_a_replay_is_the_first_answer_byte_for_byte_and_does_nothing(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a = orgs[0]
    user = str(uuid.uuid4())
    first = await intake.post(BENEFICIARIES, json=person(), headers=caller(a, user, key="r-1"))
    # A retry with a refreshed token (same user) and the keys of the body in another order.
    reordered = dict(reversed(list(person().items())))
    again = await intake.post(BENEFICIARIES, json=reordered, headers=caller(a, user, key="r-1"))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    for header in ("location", "etag", "content-type"):
        assert again.headers[header] == first.headers[header]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await count(intake_database, "beneficiary") == 1
    assert await count(intake_database, "outbox_event") == 2  # registered + access_changed, once


async def test_the_same_key_with_another_request_is_422(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a = orgs[0]
    user = str(uuid.uuid4())
    created = await intake.post(BENEFICIARIES, json=person(), headers=caller(a, user, key="k"))
    assert created.status_code == 201
    other_body = await intake.post(
        BENEFICIARIES, json=person(given_name="Omar"), headers=caller(a, user, key="k")
    )
    other_path = await intake.post(
        f"{BENEFICIARIES}/batch", json={"items": [person()]}, headers=caller(a, user, key="k")
    )
    for answer in (other_body, other_path):
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"] == [
            {"field": "header.idempotency-key", "message": "reused", "code": "reused"}
        ]
    assert await count(intake_database, "beneficiary") == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 201, "tab\tinside", "bell\x07"])
async def test_malformed_keys_are_422(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str, key: str
) -> None:
    headers = caller(orgs[0], str(uuid.uuid4()))
    answer = await intake.post(
        BENEFICIARIES, json=person(), headers={**headers, "Idempotency-Key": key}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "header.idempotency-key"
    assert await count(intake_database, "beneficiary") == 0


async def test_an_error_is_not_kept_so_a_corrected_retry_goes_ahead(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a = orgs[0]
    user = str(uuid.uuid4())
    invalid = await intake.post(
        BENEFICIARIES, json=person(nationality="XY"), headers=caller(a, user, key="fix-me")
    )
    assert invalid.status_code == 422
    refused = await intake.post(  # a provider may not register people
        BENEFICIARIES, json=person(), headers=caller(a, user, "provider", key="fix-me")
    )
    assert refused.status_code == 403
    assert await count(intake_database, "idempotency_record") == 0
    corrected = await intake.post(
        BENEFICIARIES, json=person(), headers=caller(a, user, key="fix-me")
    )
    assert corrected.status_code == 201
    assert await count(intake_database, "beneficiary") == 1


async def test_keys_belong_to_one_user_of_one_organisation(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, b, _ = orgs
    user = str(uuid.uuid4())
    answers = [
        await intake.post(BENEFICIARIES, json=person(), headers=caller(a, user, key="same")),
        await intake.post(BENEFICIARIES, json=person(), headers=caller(a, "colleague", key="same")),
        await intake.post(BENEFICIARIES, json=person(), headers=caller(b, user, key="same")),
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert len({answer.json()["id"] for answer in answers}) == 3


async def test_a_retry_while_the_first_attempt_runs_answers_409_with_retry_after(
    intake: httpx.AsyncClient,
    orgs: tuple[Org, Org, Org],
    intake_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a = orgs[0]
    user = str(uuid.uuid4())
    monkeypatch.setattr(idempotency, "WAIT", timedelta(milliseconds=200))
    # The first attempt: its pending record, in a transaction that has not finished.
    first = await asyncpg.connect(_dsn(intake_database))
    transaction = first.transaction()
    await transaction.start()
    await first.execute(
        "INSERT INTO idempotency_record (caller, key, request_hash, status_code, body) "
        "VALUES ($1, 'slow', $2, 0, '')",
        f"{a.id.hex}:{user}",
        b"\0" * 32,
    )
    try:
        answer = await intake.post(
            BENEFICIARIES, json=person(), headers=caller(a, user, key="slow")
        )
        assert answer.status_code == 409
        assert answer.headers["retry-after"] == "1"
        assert answer.json()["type"].endswith("idempotency-key-in-progress")
    finally:
        await transaction.rollback()  # the first attempt failed: nothing happened
        await first.close()
    retried = await intake.post(BENEFICIARIES, json=person(), headers=caller(a, user, key="slow"))
    assert retried.status_code == 201
    assert await count(intake_database, "beneficiary") == 1


async def test_racing_retries_of_a_batch_register_it_once(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a = orgs[0]
    headers = caller(a, str(uuid.uuid4()), "partner_system", key="nightly-import-0412")
    body = {"items": [person(), person(given_name="Omar", external_id="x-2")]}
    answers = await asyncio.gather(
        *(intake.post(f"{BENEFICIARIES}/batch", json=body, headers=headers) for _ in range(5))
    )
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1
    assert sum("idempotent-replayed" in answer.headers for answer in answers) == 4
    assert await count(intake_database, "beneficiary") == 2


async def test_consents_and_merges_are_replayed(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, b, _ = orgs
    user = str(uuid.uuid4())
    first = (await intake.post(BENEFICIARIES, json=person(), headers=caller(a, user))).json()
    second = (
        await intake.post(BENEFICIARIES, json=person(given_name="Ahmad"), headers=caller(a, user))
    ).json()
    consent = {
        "purpose": "sharing",
        "organization_id": str(b.id),
        "sections": ["identity"],
        "text_version": "it-2026",
        "collection_method": "paper_signed",
    }
    url = f"{BENEFICIARIES}/{first['id']}"
    granted = [
        await intake.post(f"{url}/consents", json=consent, headers=caller(a, user, key="c-1"))
        for _ in range(2)
    ]
    assert [answer.status_code for answer in granted] == [201, 201]
    assert granted[1].headers["location"] == granted[0].headers["location"]
    assert await count(intake_database, "consent") == 1
    merge = {"merged_id": second["id"]}
    merged = [
        await intake.post(f"{url}/merge", json=merge, headers=caller(a, user, key="m-1"))
        for _ in range(2)
    ]
    assert [answer.status_code for answer in merged] == [200, 200]  # not a 409 "already merged"
    assert merged[1].content == merged[0].content


async def test_expired_keys_start_afresh_and_are_purged(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a = orgs[0]
    user = str(uuid.uuid4())
    first = await intake.post(BENEFICIARIES, json=person(), headers=caller(a, user, key="old"))
    await sql(intake_database, "UPDATE idempotency_record SET created_at = now() - interval '25h'")
    later = await intake.post(BENEFICIARIES, json=person(), headers=caller(a, user, key="old"))
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]  # a new operation, 24 hours on
    await intake.post(BENEFICIARIES, json=person(), headers=caller(a, user, key="new"))
    await sql(
        intake_database,
        "UPDATE idempotency_record SET created_at = now() - interval '25h' WHERE key = 'old'",
    )
    engine = create_engine(intake_database, pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            assert await idempotency.purge(session, records) == 1
    finally:
        await engine.dispose()
    assert [
        row["key"] for row in await sql(intake_database, "SELECT key FROM idempotency_record")
    ] == ["new"]


async def test_erasure_forgets_the_answers_about_the_person(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a = orgs[0]
    user = str(uuid.uuid4())
    alone = await intake.post(BENEFICIARIES, json=person(), headers=caller(a, user, key="one"))
    batch = await intake.post(
        f"{BENEFICIARIES}/batch",
        json={"items": [person(given_name="Fatima", family_name="Zahra", external_id="f-1")]},
        headers=caller(a, user, key="many"),
    )
    in_batch = batch.json()["results"][0]["id"]
    assert (await intake.delete(f"{BENEFICIARIES}/{in_batch}", headers=a.admin)).status_code == 204
    left = await sql(intake_database, "SELECT key, body FROM idempotency_record")
    assert [row["key"] for row in left] == ["one"]
    assert json.loads(left[0]["body"])["id"] == alone.json()["id"]
