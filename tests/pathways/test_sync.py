"""A sync of pathways (``GET /api/v1/pathways?since=``): commit-ordered, so a change committed
while a sync runs comes in the next one, exactly once; a pathway comes with its actions and
steps; the people a partner may no longer see come as removals, to that partner only."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from shared import clock
from shared.db import create_engine
from shared.pagination import decode_cursor, encode_cursor
from tests.pathways.conftest import deliver, open_pathway, person, step
from tests.support import Org, envelope
from tests.sync_support import Done, count, ids_synced_during, sync_run, sync_runs_until


async def sync(
    client: httpx.AsyncClient, org: Org, since: str, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    return await sync_run(client, "/api/v1/pathways", org.operator, since, limit)


async def sync_until(
    client: httpx.AsyncClient, org: Org, since: str, done: Done, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    return await sync_runs_until(client, "/api/v1/pathways", org.operator, since, done, limit)


async def test_a_first_load_pages_every_pathway_once_with_its_actions_and_steps(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner, partner, outsider = orgs
    shared = await person(pathways, owner, shared_with=[(partner, ["pathway"])])
    private = await person(pathways, owner)
    first = await open_pathway(pathways, owner, shared)
    second = await open_pathway(pathways, owner, private)
    assert (await step(pathways, owner, first["id"], "assess")).status_code == 201
    assert (await step(pathways, owner, first["id"], "respond")).status_code == 201

    items, removed, watermark = await sync_until(pathways, owner, "0", count(2), limit=1)
    assert sorted(item["id"] for item in items) == sorted([first["id"], second["id"]])
    assert removed == []
    assert watermark
    by_id = {item["id"]: item for item in items}
    assert [s["kind"] for s in by_id[first["id"]]["steps"]] == ["assess", "respond"]
    assert [a["title"] for a in by_id[first["id"]]["actions"]] == ["Permit renewal"]

    partner_items, _, _ = await sync_until(pathways, partner, "0", count(1))
    assert [item["id"] for item in partner_items] == [first["id"]]
    assert (await sync(pathways, outsider, "0"))[0] == []

    # Nothing changed: nothing comes; a step brings its pathway back, and only it.
    assert (await sync(pathways, owner, watermark))[0] == []
    assert (await step(pathways, owner, first["id"], "monitor")).status_code == 201
    again, _, _ = await sync_until(pathways, owner, watermark, count(1))
    assert [item["id"] for item in again] == [first["id"]]
    assert again[0]["steps"][-1]["kind"] == "monitor"


async def test_a_change_committed_after_a_sync_began_comes_in_the_next_one(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    """The loss the issue found: a transaction that wrote before a sync read, but committed
    after, is behind a time-based watermark for good. Here the watermark waits for it: while it
    runs, a sync hands out nothing written after it began, and the next sync brings both."""
    owner = orgs[0]
    slow = await open_pathway(pathways, owner, await person(pathways, owner))
    _, _, watermark = await sync_until(pathways, owner, "0", count(1))
    engine = create_engine(pathways_database, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(
                text("UPDATE pathway SET assigned_to = 'late-writer' WHERE id = :id"),
                {"id": slow["id"]},
            )
            # Meanwhile a later change commits and a sync runs.
            fast = await open_pathway(pathways, owner, await person(pathways, owner))
            items, _, during = await sync(pathways, owner, watermark)
            assert items == []
            await transaction.commit()
    finally:
        await engine.dispose()
    items, _, after = await sync_until(pathways, owner, during, count(2))
    assert sorted((item["id"], item["assigned_to"]) for item in items) == sorted(
        [(slow["id"], "late-writer"), (fast["id"], owner.operator_id)]
    )
    assert (await sync(pathways, owner, after))[0] == []


async def test_concurrent_writers_every_pathway_arrives_exactly_once(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    """Writers open pathways (some in transactions held open across syncs) while a client syncs
    in a loop; every pathway arrives, and once."""
    owner = orgs[0]
    people = [await person(pathways, owner) for _ in range(24)]
    engine = create_engine(pathways_database, pool_size=4, max_overflow=0)
    held: list[str] = []

    async def slow_writer(index: int) -> None:
        async with engine.connect() as connection, connection.begin():
            pathway_id = str(uuid.uuid4())
            await connection.execute(
                text(
                    "INSERT INTO pathway (id, beneficiary_id, organization_id, assigned_to, "
                    "status, cycle, urgent, open_rights_violations, plan_version, version, "
                    "opened_by) VALUES (:id, :person, :org, 'held', 'open', 0, false, 0, 0, 1, "
                    "'held')"
                ),
                {"id": pathway_id, "person": people[index], "org": owner.id},
            )
            held.append(pathway_id)
            await asyncio.sleep(0.15)  # a sync or two runs while this is uncommitted

    async def writers() -> list[str]:
        opened: list[str] = []
        for index in range(12):
            if index % 3 == 0:
                await slow_writer(12 + index)
            opened.append((await open_pathway(pathways, owner, people[index]))["id"])
        return opened

    try:
        writing = asyncio.create_task(writers())
        seen = await ids_synced_during(pathways, "/api/v1/pathways", owner.operator, writing, 16)
        opened = writing.result()
    finally:
        await engine.dispose()
    assert len(held) == 4
    assert sorted(seen) == sorted(opened + held)  # all of them, none twice


async def test_a_partner_is_told_to_drop_a_person_when_the_consent_ends_or_expires(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner, partner, outsider = orgs
    withdrawn = await person(pathways, owner, shared_with=[(partner, ["pathway"])])
    await open_pathway(pathways, owner, withdrawn)
    expiring = uuid.uuid4()
    now = datetime.now(UTC)
    await person(pathways, owner, beneficiary_id=expiring)
    await deliver(
        pathways,
        envelope(
            "beneficiary.access_changed",
            {
                "beneficiary_id": str(expiring),
                "owner_organization_id": str(owner.id),
                "grants": [
                    {
                        "organization_id": str(partner.id),
                        "sections": ["pathway"],
                        "expires_at": (now + timedelta(days=2)).isoformat(),
                    }
                ],
                "matching_consent": False,
                "version": 2,
            },
        ),
    )
    await open_pathway(pathways, owner, expiring)
    items, _, watermark = await sync_until(pathways, partner, "0", count(2))
    assert len(items) == 2
    _, _, outsider_mark = await sync(pathways, outsider, "0")

    await person(pathways, owner, beneficiary_id=withdrawn, version=2)  # no grants: withdrawn
    items, removed, watermark = await sync_until(pathways, partner, watermark, count(1))
    assert items == []
    assert removed == [
        {"type": "beneficiary", "id": str(withdrawn), "reason": "withdrawn", "merged_into": None}
    ]
    with clock.frozen_at(now + timedelta(days=3)):
        items, removed, _ = await sync_until(pathways, partner, watermark, count(1))
        assert items == []
        assert [(r["id"], r["reason"]) for r in removed] == [(str(expiring), "withdrawn")]
        assert (await sync(pathways, outsider, outsider_mark))[1] == []  # never read them


async def test_a_sync_refuses_filters_a_forged_watermark_and_one_from_the_future(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner = orgs[0]
    filtered = await pathways.get(
        "/api/v1/pathways", params={"since": "0", "stage": "assess"}, headers=owner.operator
    )
    assert filtered.status_code == 422
    assert filtered.json()["errors"][0]["field"] == "query.stage"
    forged = await pathways.get(
        "/api/v1/pathways", params={"since": "not-a-mark"}, headers=owner.operator
    )
    assert forged.status_code == 422
    assert forged.json()["errors"][0]["field"] == "query.since"
    _, _, watermark = await sync(pathways, owner, "0")
    xact, moment, scope = decode_cursor(watermark, 3)
    ahead = encode_cursor([xact + 10_000_000, datetime.fromisoformat(str(moment)), scope])
    gone = await pathways.get("/api/v1/pathways", params={"since": ahead}, headers=owner.operator)
    assert gone.status_code == 410
    assert gone.json()["type"].endswith("sync-restart")
    # Another list's watermark (its commit order may be another database's) is refused.
    other = encode_cursor([xact, datetime.fromisoformat(str(moment)), "referrals"])
    refused = await pathways.get(
        "/api/v1/pathways", params={"since": other}, headers=owner.operator
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "query.since"


async def test_a_pathway_of_a_person_whose_access_changed_comes_once(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    """A person's access changes in one sync's range and their pathway is opened after it ends
    (a transaction held open marks the end): the pathway comes once, in the later sync, not
    also as "newly visible" in the earlier one."""
    owner = orgs[0]
    _, _, watermark = await sync(pathways, owner, "0")
    someone = await person(pathways, owner)
    engine = create_engine(pathways_database, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(text("SELECT pg_current_xact_id()"))  # holds the range
            opened = await open_pathway(pathways, owner, someone)
            before, _, watermark = await sync(pathways, owner, watermark)
            await transaction.commit()
    finally:
        await engine.dispose()
    after, _, _ = await sync_until(pathways, owner, watermark, count(1))
    assert [item["id"] for item in before + after] == [opened["id"]]
