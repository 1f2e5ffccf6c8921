"""The work one batch registration may ask for is bounded, and its duplicate scoring runs off the
event loop: another organisation's read is answered while a maximum-size batch of look-alikes is
being scored."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from services.intake.app import create_app
from services.intake.db.models import metadata
from services.intake.domain.linkage import Record, batch_duplicates
from services.intake.domain.record import columns, person_key
from services.intake.service import batch
from services.intake.settings import IntakeSettings
from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, person, register
from tests.support import serve, sql, truncate

GIVEN = ["Mohamed", "Mohammed", "Muhammad", "Mohamad", "Mohammad", "Muhamed", "Mohamed Amin"]
FAMILY = ["Ali", "Aly", "Alli", "El Ali", "Ali Hassan"]


def lookalikes(count: int, tag: str) -> list[dict[str, Any]]:
    """People who all share blocking keys: variants of one name, born on one of two dates."""
    return [
        person(
            given_name=GIVEN[number % len(GIVEN)],
            family_name=FAMILY[(number // len(GIVEN)) % len(FAMILY)],
            birth_date="1995-03-04" if number % 3 else "1995-04-03",
            external_id=f"{tag}-{number}",
        )
        for number in range(count)
    ]


@asynccontextmanager
async def intake_with(
    url: str, issuer: TestIssuer, **limits: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The intake app on an emptied database with ``limits`` (settings) of the test's own."""
    await truncate(url, metadata)
    settings = IntakeSettings(
        database_url=url,
        migrate_on_start=False,
        relay_events=False,
        internal_token="test-internal-token",
        pathways_url="http://127.0.0.1:9",
        matching_url="http://127.0.0.1:9",
        gateway_url="http://127.0.0.1:9",
        **limits,
    )
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        yield client


async def _count(url: str) -> int:
    return int((await sql(url, "SELECT count(*) AS n FROM beneficiary"))[0]["n"])


async def test_a_batch_over_the_configured_size_is_refused_and_changes_nothing(
    intake_database: str, issuer: TestIssuer
) -> None:
    a = Org(issuer)
    limits = {"batch_max_items": 3, "batch_job_max_items": 3}
    async with intake_with(intake_database, issuer, **limits) as client:
        answer = await client.post(
            "/api/v1/beneficiaries/batch",
            json={"items": lookalikes(4, "big")},
            headers=a.operator,
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"] == [
            {"field": "body.items", "message": "has 4 items, more than 3", "code": "too_long"}
        ]
        assert await _count(intake_database) == 0
        fitting = await client.post(
            "/api/v1/beneficiaries/batch",
            json={"items": lookalikes(3, "fits")},
            headers=a.operator,
        )
        assert fitting.status_code == 200, fitting.text
        assert await _count(intake_database) == 3


async def test_a_batch_resembling_too_many_registered_people_is_refused_and_changes_nothing(
    intake_database: str, issuer: TestIssuer
) -> None:
    a = Org(issuer)
    async with intake_with(intake_database, issuer, batch_candidate_rows_max=100) as client:
        first = await client.post(
            "/api/v1/beneficiaries/batch",
            json={"items": lookalikes(101, "first")},
            headers=a.operator,
        )
        assert first.status_code == 200, first.text
        events = await sql(intake_database, "SELECT count(*) AS n FROM outbox_event")
        answer = await client.post(
            "/api/v1/beneficiaries/batch",
            json={"items": lookalikes(2, "second")},
            headers=a.operator,
        )
        assert answer.status_code == 422, answer.text
        assert [error["code"] for error in answer.json()["errors"]] == ["too_many_candidates"]
        assert await _count(intake_database) == 101
        assert await sql(intake_database, "SELECT count(*) AS n FROM outbox_event") == events
        # Another organisation sees none of them: its batch of the same names goes through.
        b = Org(issuer)
        other = await client.post(
            "/api/v1/beneficiaries/batch",
            json={"items": lookalikes(2, "second")},
            headers=b.operator,
        )
        assert other.status_code == 200, other.text


def _records(documents: list[dict[str, Any]], *, newcomers: bool) -> list[Record]:
    return [
        Record(
            id=str(uuid.UUID(int=number + (0 if newcomers else 10_000))),
            organization_id="org",
            key=person_key(document),
            blocking_keys=tuple(columns(document)["blocking_keys"]),
            index=number if newcomers else None,
        )
        for number, document in enumerate(documents)
    ]


def test_each_newcomer_is_scored_against_at_most_per_person_others() -> None:
    newcomers = _records(lookalikes(30, "n"), newcomers=True)
    existing = _records(lookalikes(30, "e"), newcomers=False)
    unbounded = batch_duplicates(newcomers, existing, per_person=1000)
    bounded = batch_duplicates(newcomers, existing, per_person=10)
    assert max(len(found) for found in unbounded.values()) > 10
    assert set(bounded) == set(unbounded)  # everyone still finds look-alikes
    for index, found in bounded.items():
        assert 0 < len(found) <= 10
        assert {item["id"] for item in found} <= {item["id"] for item in unbounded[index]}


def test_the_others_scored_are_those_sharing_the_most_keys() -> None:
    twin = person(given_name="Amina", family_name="Diallo", birth_date="1990-02-03")
    cousin = person(given_name="Aminata", family_name="Diallo", birth_date="1990-02-03")
    newcomer = _records([twin], newcomers=True)
    existing = _records([cousin, twin], newcomers=False)
    found = batch_duplicates(newcomer, existing, per_person=1)
    assert [item["id"] for item in found[0]] == [existing[1].id]


def test_scoring_is_the_same_whichever_way_it_runs() -> None:
    """Each pair is scored once: a pair within the batch is reported to both of its people."""
    newcomers = _records(lookalikes(6, "n"), newcomers=True)
    found = batch_duplicates(newcomers, [], per_person=50)
    for index, items in found.items():
        for item in items:
            other = next(r for r in newcomers if r.id == item["id"])
            assert other.index is not None
            back = [x for x in found[other.index] if x["id"] == newcomers[index].id]
            assert back
            assert back[0]["score"] == item["score"]


@pytest.fixture
def scoring(monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Events set when the batch hands its scoring to the process pool, and when it is back."""
    started, finished = asyncio.Event(), asyncio.Event()
    real: Callable[..., Any] = batch.run_in_process  # type: ignore[attr-defined]

    async def signalling(fn: Callable[..., Any], /, *args: object, **kwargs: object) -> Any:
        started.set()
        try:
            return await real(fn, *args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(batch, "run_in_process", signalling)
    return started, finished


async def test_another_organisations_read_is_answered_while_a_maximum_batch_is_scored(
    intake_database: str, issuer: TestIssuer, scoring: tuple[asyncio.Event, asyncio.Event]
) -> None:
    started, finished = scoring
    a, b = Org(issuer), Org(issuer)
    async with intake_with(intake_database, issuer) as client:
        theirs = await register(client, b, given_name="Ana", family_name="Silva")
        assert batch.MAX_ITEMS == 500
        heavy = asyncio.create_task(
            client.post(
                "/api/v1/beneficiaries/batch",
                json={"items": lookalikes(batch.MAX_ITEMS, "max")},
                headers=a.operator,
                timeout=None,
            )
        )
        await asyncio.wait_for(started.wait(), timeout=120)  # a guard, not a measure
        for _ in range(5):
            read = await client.get(f"/api/v1/beneficiaries/{theirs['id']}", headers=b.operator)
            assert read.status_code == 200
        # Scoring on the loop would hold every read until it ended.
        assert not finished.is_set(), "the reads waited for the batch's scoring"
        answer = await heavy
        assert answer.status_code == 200, answer.text
        statuses = {result["status"] for result in answer.json()["results"]}
        assert statuses == {"possible_duplicate"}
        found = answer.json()["results"][0]["possible_duplicates"]
        assert 0 < len(found) <= IntakeSettings().duplicate_candidates_per_person
