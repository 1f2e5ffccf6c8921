"""The case-notes feed (``GET /api/v1/notes?since=``): every note the caller may read, in commit
order, exactly once; a person newly shared brings their notes once; a person whose notes the
caller may no longer read is told once (never a note's id), to those who could read them."""

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
from tests.intake.conftest import Org, register
from tests.intake.test_emergency import Glass, glass  # noqa: F401 - the fixture
from tests.intake.test_sync import removal, sharing
from tests.intake.test_transfers import ask, consent, decide
from tests.support import sql
from tests.sync_support import Done, count, ids_synced_during, sync_run, sync_runs_until

URL = "/api/v1/notes"


async def sync(
    client: httpx.AsyncClient, org: Org, since: str, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    return await sync_run(client, URL, org.operator, since, limit)


async def sync_until(
    client: httpx.AsyncClient, org: Org, since: str, done: Done, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    return await sync_runs_until(client, URL, org.operator, since, done, limit)


async def note(
    client: httpx.AsyncClient, owner: Org, person: str, section: str, **body: Any
) -> str:
    answer = await client.post(
        f"/api/v1/beneficiaries/{person}/notes",
        json={"section": section, "text": f"about {section}", **body},
        headers=owner.operator,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def share(
    client: httpx.AsyncClient, owner: Org, person: str, to: Org, sections: list[str]
) -> str:
    answer = await client.post(
        f"/api/v1/beneficiaries/{person}/consents",
        json=sharing(to, sections),
        headers=owner.operator,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def withdraw(client: httpx.AsyncClient, owner: Org, person: str, consent_id: str) -> None:
    answer = await client.delete(
        f"/api/v1/beneficiaries/{person}/consents/{consent_id}", headers=owner.operator
    )
    assert answer.status_code == 204, answer.text


def ids(items: list[dict[str, Any]]) -> list[str]:
    return sorted(item["id"] for item in items)


async def test_a_first_load_pages_every_readable_note_once_then_only_what_is_new(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner, partner, outsider = orgs
    first = (await register(intake, owner))["id"]
    second = (await register(intake, owner, given_name="Samir"))["id"]
    plan = await note(intake, owner, first, "pathway")
    private = await note(intake, owner, first, "profile")
    other = await note(intake, owner, second, "pathway")
    await share(intake, owner, first, partner, ["identity", "pathway"])

    items, removed, owner_mark = await sync_until(intake, owner, "0", count(3), limit=1)
    assert ids(items) == sorted([plan, private, other])
    assert removed == []
    shown = next(item for item in items if item["id"] == plan)
    listed = await intake.get(f"/api/v1/beneficiaries/{first}/notes", headers=owner.operator)
    assert shown == next(item for item in listed.json()["items"] if item["id"] == plan)

    seen, _, partner_mark = await sync_until(intake, partner, "0", count(1), limit=1)
    assert ids(seen) == [plan]  # not the profile note, nor a person not shared
    assert (await sync(intake, outsider, "0"))[:2] == ([], [])

    # Nothing new: nothing comes. A note (a correction) brings itself, to whoever reads it.
    assert (await sync(intake, owner, owner_mark))[:2] == ([], [])
    fix = await note(intake, owner, first, "pathway", corrects=plan)
    again, _, _ = await sync_until(intake, owner, owner_mark, count(1))
    assert [(item["id"], item["corrects"]) for item in again] == [(fix, plan)]
    later, gone, _ = await sync_until(intake, partner, partner_mark, count(1))
    assert (ids(later), gone) == ([fix], [])
    # The partner's reads are in the person's access log, as the per-person list's are.
    log = await intake.get(f"/api/v1/beneficiaries/{first}/access-log", headers=owner.admin)
    assert any(
        (entry["purpose"], entry["actor_organization_id"]) == (f"GET {URL}", str(partner.id))
        for entry in log.json()["items"]
    ), log.text


async def test_a_note_committed_after_a_sync_began_comes_in_the_next_one(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    owner = orgs[0]
    person = (await register(intake, owner))["id"]
    other = (await register(intake, owner, given_name="Other"))["id"]  # a note locks its person
    _, _, watermark = await sync(intake, owner, "0")
    engine = create_engine(intake_database, pool_size=1, max_overflow=0)
    slow = str(uuid.uuid4())
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(
                text(
                    "INSERT INTO note (id, beneficiary_id, section, text, author_id, created_at) "
                    "VALUES (:id, :person, 'pathway', 'slow', 'held', now())"
                ),
                {"id": slow, "person": person},
            )
            fast = await note(intake, owner, other, "pathway")
            items, _, during = await sync(intake, owner, watermark)
            assert items == []  # the watermark waits for the held transaction
            await transaction.commit()
    finally:
        await engine.dispose()
    items, _, after = await sync_until(intake, owner, during, count(2))
    assert ids(items) == sorted([slow, fast])
    assert (await sync(intake, owner, after))[0] == []


async def test_concurrent_writers_every_note_arrives_exactly_once(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    owner = orgs[0]
    person = (await register(intake, owner))["id"]
    engine = create_engine(intake_database, pool_size=4, max_overflow=0)

    async def slow_writer() -> str:
        async with engine.connect() as connection, connection.begin():
            written = str(uuid.uuid4())
            await connection.execute(
                text(
                    "INSERT INTO note (id, beneficiary_id, section, text, author_id, "
                    "created_at) VALUES (:id, :person, 'profile', 'held', 'held', now())"
                ),
                {"id": written, "person": person},
            )
            await asyncio.sleep(0.15)  # a sync or two runs while this is uncommitted
            return written

    async def writers() -> list[str]:
        written: list[str] = []
        for index in range(12):
            if index % 3 == 0:
                written.append(await slow_writer())
            written.append(await note(intake, owner, person, "pathway", text=f"W{index}"))
        return written

    try:
        writing = asyncio.create_task(writers())
        seen = await ids_synced_during(intake, URL, owner.operator, writing, 16)
    finally:
        await engine.dispose()
    assert sorted(seen) == sorted(writing.result())  # all of them, none twice


async def test_a_person_newly_shared_brings_their_notes_once(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner, partner, outsider = orgs
    person = (await register(intake, owner))["id"]
    plans = [await note(intake, owner, person, "pathway") for _ in range(2)]
    await note(intake, owner, person, "profile")
    _, _, partner_mark = await sync(intake, partner, "0")
    _, _, outsider_mark = await sync(intake, outsider, "0")

    await share(intake, owner, person, partner, ["identity", "pathway"])
    items, removed, partner_mark = await sync_until(intake, partner, partner_mark, count(2))
    assert (ids(items), removed) == (sorted(plans), [])
    # Once: a later note comes alone, an edit of the person brings no note again.
    await intake.patch(
        f"/api/v1/beneficiaries/{person}",
        json={"municipality": "Latina"},
        headers={**owner.operator, "If-Match": '"1"'},
    )
    newer = await note(intake, owner, person, "pathway")
    items, removed, _ = await sync_until(intake, partner, partner_mark, count(1))
    assert (ids(items), removed) == ([newer], [])
    assert (await sync(intake, outsider, outsider_mark))[:2] == ([], [])


async def test_withdrawal_narrowing_expiry_and_erasure_are_told_once_to_former_readers(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    owner, partner, outsider = orgs
    withdrawn = (await register(intake, owner, given_name="Withdrawn"))["id"]
    narrowed = (await register(intake, owner, given_name="Narrowed"))["id"]
    expiring = (await register(intake, owner, given_name="Expiring"))["id"]
    erased = (await register(intake, owner, given_name="Erased"))["id"]
    quiet = (await register(intake, owner, given_name="Quiet"))["id"]
    written = {
        person: await note(intake, owner, person, "pathway")
        for person in (withdrawn, narrowed, expiring, erased)
    }
    kept = await note(intake, owner, narrowed, "identity")
    await note(intake, owner, quiet, "pathway")
    consents = {
        person: await share(intake, owner, person, partner, ["identity", "pathway"])
        for person in (withdrawn, narrowed, expiring, erased)
    }
    quiet_consent = await share(intake, owner, quiet, partner, ["identity"])  # no note read
    now = datetime.now(UTC)
    await sql(
        intake_database,
        "UPDATE access_grant SET expires_at = $1 WHERE source_id = $2",
        now + timedelta(days=2),
        uuid.UUID(consents[expiring]),
    )
    _, _, owner_mark = await sync_until(intake, owner, "0", count(6))
    _, _, partner_mark = await sync_until(intake, partner, "0", count(5))
    _, _, outsider_mark = await sync(intake, outsider, "0")

    await withdraw(intake, owner, withdrawn, consents[withdrawn])
    await withdraw(intake, owner, quiet, quiet_consent)
    # Narrowed to identity: the pathway note is lost, the identity note still read.
    await share(intake, owner, narrowed, partner, ["identity"])
    await withdraw(intake, owner, narrowed, consents[narrowed])
    assert (
        await intake.delete(f"/api/v1/beneficiaries/{erased}", headers=owner.admin)
    ).status_code == 204

    items, removed, partner_mark = await sync_until(intake, partner, partner_mark, count(4))
    assert sorted(removed, key=lambda r: r["id"]) == sorted(
        [
            removal(withdrawn, "withdrawn"),
            removal(narrowed, "withdrawn"),
            removal(erased, "erased"),
        ],
        key=lambda r: r["id"],
    )  # not the quiet person: the partner never read a note of theirs
    # The kept note is re-sent after the removal. The expiring person's note may come again too:
    # its grant was written (the expiry set) just before the first load, whose watermark may
    # have stopped below that write (another transaction on the server was running), so this
    # sync sees the person's access change and sends what the partner reads of them (again).
    assert kept in ids(items)
    assert set(ids(items)) <= {kept, written[expiring]}
    owner_items, owner_removed, _ = await sync_until(intake, owner, owner_mark, count(1))
    assert (owner_items, owner_removed) == ([], [removal(erased, "erased")])

    # Told once; an expiry is told in the sync after it.
    again, told_again, partner_mark = await sync(intake, partner, partner_mark)
    assert (again, told_again) == ([], [])
    with clock.frozen_at(now + timedelta(days=3)):
        items, removed, _ = await sync_until(intake, partner, partner_mark, count(1))
    assert (items, removed) == ([], [removal(expiring, "withdrawn")])
    assert (await sync(intake, outsider, outsider_mark))[:2] == ([], [])  # never read them


async def test_a_transfer_brings_the_notes_to_the_receiver_and_tells_the_sender(
    glass: Glass,  # noqa: F811
) -> None:
    rome, latina, milan = (
        await glass.organisation(),
        await glass.organisation(),
        await glass.organisation(),
    )
    person = (await register(glass.intake, rome))["id"]
    written = await note(glass.intake, rome, person, "profile")
    await consent(glass.intake, person, rome, latina)
    _, _, rome_mark = await sync_until(glass.intake, rome, "0", count(1))
    _, _, latina_mark = await sync(glass.intake, latina, "0")
    _, _, milan_mark = await sync(glass.intake, milan, "0")
    transfer = (await ask(glass.intake, person, rome, latina.id)).json()["id"]
    assert (await decide(glass.intake, transfer, latina.admin, "accepted")).status_code == 200

    items, removed, _ = await sync_until(glass.intake, rome, rome_mark, count(1))
    assert (items, removed) == ([], [removal(person, "withdrawn")])
    received, _, _ = await sync_until(glass.intake, latina, latina_mark, count(1))
    assert ids(received) == [written]
    assert (await sync(glass.intake, milan, milan_mark))[:2] == ([], [])


async def test_the_feed_refuses_filters_no_since_a_forged_watermark_and_one_from_the_future(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner = orgs[0]
    for extra in ({"beneficiary_id": str(uuid.uuid4())}, {"pathway_id": str(uuid.uuid4())}):
        filtered = await intake.get(URL, params={"since": "0", **extra}, headers=owner.operator)
        assert filtered.status_code == 422
        assert filtered.json()["errors"][0]["field"] == f"query.{next(iter(extra))}"
    assert (await intake.get(URL, headers=owner.operator)).status_code == 422
    forged = await intake.get(URL, params={"since": "not-a-mark"}, headers=owner.operator)
    assert forged.status_code == 422
    assert forged.json()["errors"][0]["field"] == "query.since"
    _, _, watermark = await sync(intake, owner, "0")
    xact, moment, scope = decode_cursor(watermark, 3)
    ahead = encode_cursor([xact + 10_000_000, datetime.fromisoformat(str(moment)), scope])
    future = await intake.get(URL, params={"since": ahead}, headers=owner.operator)
    assert future.status_code == 410
    assert future.json()["type"].endswith("sync-restart")
