"""Asynchronous batches: a batch beyond the synchronous limit is stored and answered 202 with its
job; the job is processed in chunks (each its own transaction: a crash redoes one chunk, never
loses or doubles an item), read only by whoever submitted it, its payloads deleted as processed
and the job purged after the retention."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx

from services.intake.db import jobs
from services.intake.service import job_runner
from services.intake.service.batch import Limits
from shared import clock
from shared.db import create_engine, session_factory
from shared.territory_client import TerritoryClient
from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, person
from tests.intake.test_batch_bounds import intake_with as bounded
from tests.support import sql

URL = "/api/v1/beneficiaries/batch"


def intake_with(url: str, issuer: TestIssuer, **extra: Any) -> Any:
    """Synchronous batches of at most 3 items, jobs in chunks of 2."""
    return bounded(url, issuer, batch_max_items=3, job_chunk_items=2, job_poll_seconds=0.1, **extra)


def system(issuer: TestIssuer, org: Org, subject: str = "caritas-sync") -> dict[str, str]:
    return issuer.headers(
        roles=["partner_system"], organization_id=org.id, subject=subject, kind="client"
    )


def items() -> list[dict[str, Any]]:
    return [
        person(given_name=f"Job{n}", family_name="Person", external_id=f"j-{n}") for n in range(5)
    ] + [
        person(given_name="Again", external_id="j-1"),  # repeats item 1
        person(nationality="XY", external_id="j-9"),  # invalid
    ]


async def _finished(client: httpx.AsyncClient, location: str, headers: dict[str, str]) -> Any:
    for _attempt in range(200):
        answer = await client.get(location, headers=headers)
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] in ("succeeded", "failed"):
            return answer.json()
        await asyncio.sleep(0.05)
    raise AssertionError("the job did not finish")


async def test_a_job_runs_to_the_end_and_is_read_by_its_submitter_only(
    intake_database: str, issuer: TestIssuer
) -> None:
    a, b = Org(issuer), Org(issuer)
    async with intake_with(intake_database, issuer) as client:
        submitted = await client.post(
            URL, json={"mode": "upsert", "items": items()}, headers=system(issuer, a)
        )
        assert submitted.status_code == 202, submitted.text
        location = submitted.headers["location"]
        job = submitted.json()
        assert location == f"/api/v1/jobs/{job['id']}"
        assert job["status"] == "queued"
        assert job["progress"] == {"done": 1, "total": 7}  # the repeat is settled at once

        done = await _finished(client, location, system(issuer, a))
        assert done["status"] == "succeeded"
        assert done["progress"] == {"done": 7, "total": 7}
        assert done["counts"] == {"created": 5, "error": 2}
        assert done["expires_at"] is not None
        statuses = [r["status"] for r in done["results"]["items"]]
        assert statuses == ["created"] * 5 + ["error", "error"]
        assert done["results"]["items"][5]["errors"][0]["message"] == "repeats item 1 of this batch"
        assert done["results"]["items"][6]["errors"][0]["field"] == "body.items.6.nationality"

        first = await client.get(location, params={"limit": 3}, headers=system(issuer, a))
        page = first.json()["results"]
        assert [r["index"] for r in page["items"]] == [0, 1, 2]
        rest = await client.get(
            location,
            params={"limit": 5, "cursor": page["next_cursor"]},
            headers=system(issuer, a),
        )
        assert [r["index"] for r in rest.json()["results"]["items"]] == [3, 4, 5, 6]
        assert rest.json()["results"]["next_cursor"] is None

        # Nobody else reads it: another organisation, another client of the same one, a user.
        for headers in (
            system(issuer, b),
            system(issuer, b, subject="caritas-sync"),
            system(issuer, a, subject="another-system"),
            a.operator,
        ):
            assert (await client.get(location, headers=headers)).status_code == 404
        unknown = await client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=system(issuer, a))
        assert unknown.status_code == 404

        # A second run of the same items: the organisation's records, unchanged.
        again = await client.post(
            URL, json={"mode": "upsert", "items": items()[:5]}, headers=system(issuer, a)
        )
        redone = await _finished(client, again.headers["location"], system(issuer, a))
        assert redone["counts"] == {"unchanged": 5}

    payloads = await sql(
        intake_database, "SELECT count(*) AS n FROM job_item WHERE payload IS NOT NULL"
    )
    assert payloads[0]["n"] == 0  # the people's data went as each item was processed
    assert (await sql(intake_database, "SELECT count(*) AS n FROM beneficiary"))[0]["n"] == 5


async def test_a_crash_redoes_one_chunk_and_loses_nothing(
    intake_database: str, issuer: TestIssuer
) -> None:
    a = Org(issuer)
    async with intake_with(intake_database, issuer, run_jobs=False) as client:
        submitted = await client.post(URL, json={"items": items()[:5]}, headers=system(issuer, a))
        assert submitted.status_code == 202, submitted.text
        location = submitted.headers["location"]
        engine = create_engine(intake_database)
        try:
            async with httpx.AsyncClient() as http:
                runner = job_runner.Runner(
                    sessions=session_factory(engine),
                    matching=TerritoryClient(http, "http://127.0.0.1:9", "unused"),
                    limits=Limits(max_items=2),
                    retention=timedelta(hours=1),
                )
                # A chunk done, then the process dies before its commit: rolled back.
                async with runner.sessions() as session:
                    await session.begin()
                    job = await jobs.claim(session, clock.now())
                    assert job is not None
                    await job_runner.process_chunk(session, runner, job)
                    await session.rollback()
                assert (await sql(intake_database, "SELECT count(*) AS n FROM beneficiary"))[0][
                    "n"
                ] == 0
                assert (await client.get(location, headers=system(issuer, a))).json()[
                    "progress"
                ] == {"done": 0, "total": 5}

                assert await job_runner.step(runner)  # one chunk, committed
                halfway = (await client.get(location, headers=system(issuer, a))).json()
                assert halfway["status"] == "running"
                assert halfway["progress"] == {"done": 2, "total": 5}
                kept = await sql(
                    intake_database,
                    'SELECT "index" FROM job_item WHERE payload IS NOT NULL ORDER BY "index"',
                )
                assert [row["index"] for row in kept] == [2, 3, 4]

                while await job_runner.step(runner):  # another replica resumes
                    pass
                done = (await client.get(location, headers=system(issuer, a))).json()
                assert done["status"] == "succeeded"
                statuses = {r["status"] for r in done["results"]["items"]}
                assert statuses <= {"created", "possible_duplicate"}  # create mode: look-alikes
                assert [r["index"] for r in done["results"]["items"]] == [0, 1, 2, 3, 4]
                count = await sql(intake_database, "SELECT count(*) AS n FROM beneficiary")
                assert count[0]["n"] == 5

                # Past the retention the job is purged: its results go, it is not there.
                await sql(
                    intake_database,
                    "UPDATE job SET finished_at = finished_at - interval '2 hours'",
                )
                assert await job_runner.purge(runner) == 1
                assert (await client.get(location, headers=system(issuer, a))).status_code == 404
                assert (await sql(intake_database, "SELECT count(*) AS n FROM job_item"))[0][
                    "n"
                ] == 0
        finally:
            await engine.dispose()


async def test_a_job_refuses_what_it_cannot_do(intake_database: str, issuer: TestIssuer) -> None:
    a = Org(issuer)
    async with intake_with(intake_database, issuer, batch_job_max_items=5) as client:
        atomic = await client.post(
            URL, json={"all_or_nothing": True, "items": items()[:5]}, headers=system(issuer, a)
        )
        assert atomic.status_code == 422
        assert atomic.json()["errors"][0]["field"] == "body.all_or_nothing"
        too_many = await client.post(URL, json={"items": items()[:6]}, headers=system(issuer, a))
        assert too_many.status_code == 422
        provider = issuer.headers(roles=["provider"], organization_id=a.id)
        refused = await client.post(URL, json={"items": items()[:5]}, headers=provider)
        assert refused.status_code == 403
    assert (await sql(intake_database, "SELECT count(*) AS n FROM job"))[0]["n"] == 0
