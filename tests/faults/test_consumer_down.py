"""An event consumer that is down: the producer keeps accepting writes, its outbox holds the
events, and once the consumer is back it receives every one of them, applied once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually_async, organisation
from tests.faults.conftest import person, unique_label
from tests.support import sql

pytestmark = pytest.mark.e2e

PEOPLE = 15

HELD_FOR_MATCHING = """
SELECT e.event_id, e.payload ->> 'beneficiary_id' AS beneficiary_id
FROM outbox_event e JOIN outbox_cursor c ON c.subscriber = 'matching'
WHERE e.type = 'beneficiary.registered'
  AND (e.transaction_id, e.seq) > (c.last_transaction_id, c.last_seq)
"""


async def test_events_wait_in_the_outbox_while_their_consumer_is_down(stack: Stack) -> None:
    matching = stack.processes["matching"]
    intake_db, matching_db = stack.databases["intake"], stack.databases["matching"]
    with stack.client() as client:
        org = organisation(client, "Outbox NGO")
        matching.kill()
        killed_at = time.monotonic()
        registered: list[str] = []
        for _ in range(PEOPLE):
            answer = client.post(
                "/api/v1/beneficiaries", json=person(unique_label("Held")), headers=org.operator
            )
            assert answer.status_code == 201, answer.text  # the producer does not need it
            registered.append(answer.json()["id"])
        assert client.get("/api/v1/offers", headers=org.operator).status_code == 503

        # Every registration's event waits in intake's outbox for matching...
        held = {
            row["beneficiary_id"]: row["event_id"]
            for row in await sql(intake_db, HELD_FOR_MATCHING)
        }
        assert set(registered) <= set(held), "an event for matching is missing from the outbox"
        # ... while pathways, which is up, has them already.
        await eventually_async(
            lambda: _known(stack.databases["pathways"], "person", registered), within=20
        )
        retries = await sql(
            intake_db,
            "SELECT failures, last_error FROM outbox_cursor WHERE subscriber = 'matching'",
        )
        # What an operator's alert sees: intake's metrics show the backlog and the failures.
        stuck = await eventually_async(
            lambda: _outbox_gauges(stack, "matching", lambda g: g["ponte_outbox_failures"] >= 1),
            within=20,
        )
        assert stuck["ponte_outbox_pending"] >= PEOPLE
        assert stuck["ponte_outbox_lag_seconds"] > 0

        restarting = time.monotonic()
        matching.restart()
        back_at = time.monotonic()
        await eventually_async(
            lambda: _known(matching_db, "candidate_profile", registered), within=45
        )
        delivered_at = time.monotonic()
        await eventually_async(
            lambda: _outbox_gauges(
                stack,
                "matching",
                lambda g: g["ponte_outbox_failures"] == 0 and g["ponte_outbox_pending"] == 0,
            ),
            within=20,
        )

        # Applied once: one inbox entry per event id, one read-model row per person.
        event_ids = [uuid.UUID(str(held[person_id])) for person_id in registered]
        inbox = await sql(
            matching_db,
            "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM inbox_event "
            "WHERE event_id = ANY($1)",
            event_ids,
        )
        assert inbox[0]["n"] == inbox[0]["d"] == PEOPLE
        profiles = await sql(
            matching_db,
            "SELECT count(*) AS n FROM candidate_profile WHERE beneficiary_id = ANY($1)",
            [uuid.UUID(person_id) for person_id in registered],
        )
        assert profiles[0]["n"] == PEOPLE
        assert not {row["beneficiary_id"] for row in await sql(intake_db, HELD_FOR_MATCHING)} & set(
            registered
        ), "the cursor did not move past the delivered events"
    print(
        f"\nconsumer down: {PEOPLE} registrations accepted while matching was down "
        f"({restarting - killed_at:.1f} s), {len(held)} events held in intake's outbox "
        f"(relay failures so far: {retries[0]['failures']}, "
        f"last error {retries[0]['last_error']}); "
        f"matching ready {back_at - restarting:.1f} s after restart, all {PEOPLE} applied once "
        f"{delivered_at - back_at:.1f} s later"
    )


async def _known(database: str, table: str, people: list[str]) -> bool:
    rows = await sql(
        database,
        f"SELECT count(*) AS n FROM {table} WHERE beneficiary_id = ANY($1)",  # noqa: S608 - ours
        [uuid.UUID(person_id) for person_id in people],
    )
    return int(rows[0]["n"]) == len(people)


async def _outbox_gauges(
    stack: Stack, subscriber: str, holds: Callable[[dict[str, float]], bool]
) -> dict[str, float] | None:
    """intake's ``ponte_outbox_*`` gauges for ``subscriber``, when ``holds`` of them."""
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{stack.processes['intake'].url}/metrics")).text
    label = f'subscriber="{subscriber}"'
    gauges = {
        line.split("{", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("ponte_outbox_") and label in line
    }
    return gauges if gauges and holds(gauges) else None
