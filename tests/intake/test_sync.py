"""A sync of people (``GET /api/v1/beneficiaries?since=``): commit-ordered, so a change committed
while a sync runs comes in the next one, exactly once; a consent given brings the person; the
registering organisation gets the person's consents; what an organisation must drop comes once,
to the organisations that could read the person, never to another."""

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
from tests.intake.test_transfers import ask, consent, decide
from tests.support import sql
from tests.sync_support import Done, count, sync_run, sync_runs_until


async def sync(
    client: httpx.AsyncClient, org: Org, since: str, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    return await sync_run(client, "/api/v1/beneficiaries", org.operator, since, limit)


async def sync_until(
    client: httpx.AsyncClient, org: Org, since: str, done: Done, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    return await sync_runs_until(client, "/api/v1/beneficiaries", org.operator, since, done, limit)


def sharing(org: Org, sections: list[str]) -> dict[str, object]:
    return {
        "purpose": "sharing",
        "organization_id": str(org.id),
        "sections": sections,
        "text_version": "it-2026-01",
        "collection_method": "paper_signed",
    }


async def share(client: httpx.AsyncClient, owner: Org, person: str, to: Org) -> str:
    answer = await client.post(
        f"/api/v1/beneficiaries/{person}/consents",
        json=sharing(to, ["identity"]),
        headers=owner.operator,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def removal(person: str, reason: str, merged_into: str | None = None) -> dict[str, Any]:
    return {"type": "beneficiary", "id": person, "reason": reason, "merged_into": merged_into}


async def test_a_first_load_pages_every_person_once_and_a_consent_brings_the_person(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner, partner, outsider = orgs
    first = (await register(intake, owner))["id"]
    second = (await register(intake, owner, given_name="Samir"))["id"]
    consent_id = await share(intake, owner, first, partner)

    items, removed, watermark = await sync_until(intake, owner, "0", count(2), limit=1)
    assert sorted(item["id"] for item in items) == sorted([first, second])
    assert removed == []
    by_id = {item["id"]: item for item in items}
    assert [c["id"] for c in by_id[first]["consents"]] == [consent_id]  # the owner reads them
    assert by_id[second]["consents"] == []

    seen, _, partner_mark = await sync_until(intake, partner, "0", count(1))
    assert [(item["id"], item["visible_sections"]) for item in seen] == [(first, ["identity"])]
    assert "consents" not in seen[0]  # a partner does not read the person's consents
    assert "languages" not in seen[0]  # nor a section not shared
    assert (await sync(intake, outsider, "0"))[:2] == ([], [])

    # Nothing changed: nothing comes. A change brings the person back, and only them.
    assert (await sync(intake, owner, watermark))[:2] == ([], [])
    changed = await intake.patch(
        f"/api/v1/beneficiaries/{second}",
        json={"municipality": "Latina"},
        headers={**owner.operator, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    again, _, watermark = await sync_until(intake, owner, watermark, count(1))
    assert [(item["id"], item["municipality"]) for item in again] == [(second, "Latina")]

    # A consent given long after the record was written brings it to the partner.
    await share(intake, owner, second, partner)
    opened, gone, _ = await sync_until(intake, partner, partner_mark, count(1))
    assert [item["id"] for item in opened] == [second]
    assert gone == []
    withconsent, _, _ = await sync_until(intake, owner, watermark, count(1))
    assert [len(item["consents"]) for item in withconsent] == [1]  # a consent writes its person


async def test_a_change_committed_after_a_sync_began_comes_in_the_next_one(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    """A transaction that wrote before a sync read but committed after is not behind the
    watermark: the next sync brings it."""
    owner = orgs[0]
    slow = (await register(intake, owner))["id"]
    _, _, watermark = await sync_until(intake, owner, "0", count(1))
    engine = create_engine(intake_database, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(
                text("UPDATE beneficiary SET municipality = 'Late' WHERE id = :id"), {"id": slow}
            )
            fast = (await register(intake, owner, given_name="Fast"))["id"]
            items, _, during = await sync(intake, owner, watermark)
            assert items == []
            await transaction.commit()
    finally:
        await engine.dispose()
    items, _, after = await sync_until(intake, owner, during, count(2))
    assert sorted(item["id"] for item in items) == sorted([slow, fast])
    assert (await sync(intake, owner, after))[0] == []


async def test_concurrent_writers_every_person_arrives_exactly_once(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    """Writers register people (some in transactions held open across syncs) while a client
    syncs in a loop; every person arrives, and once."""
    owner = orgs[0]
    engine = create_engine(intake_database, pool_size=4, max_overflow=0)
    held: list[str] = []

    async def slow_writer() -> None:
        async with engine.connect() as connection, connection.begin():
            person = str(uuid.uuid4())
            await connection.execute(
                text(
                    "INSERT INTO beneficiary (id, organization_id, status, version, "
                    "access_version, stateless, needs, profile, search_prefixes, blocking_keys, "
                    "created_by, updated_by) VALUES (:id, :org, 'active', 1, 1, false, '{}', "
                    "'{}', '{}', '{}', 'held', 'held')"
                ),
                {"id": person, "org": owner.id},
            )
            held.append(person)
            await asyncio.sleep(0.15)  # a sync or two runs while this is uncommitted

    async def writers() -> list[str]:
        registered: list[str] = []
        for index in range(12):
            if index % 3 == 0:
                await slow_writer()
            registered.append((await register(intake, owner, given_name=f"W{index}"))["id"])
        return registered

    seen: list[str] = []
    watermark = "0"
    try:
        writing = asyncio.create_task(writers())
        while not writing.done():
            items, _, watermark = await sync(intake, owner, watermark, limit=2)
            seen += [item["id"] for item in items]
            await asyncio.sleep(0.01)
        registered = await writing
        items, _, _ = await sync_until(
            intake, owner, watermark, lambda items, _: len(seen) + len(items) >= 16
        )
        seen += [item["id"] for item in items]
    finally:
        await engine.dispose()
    assert len(held) == 4
    assert sorted(seen) == sorted(registered + held)  # all of them, none twice


async def test_withdrawal_expiry_erasure_and_merge_are_told_once_to_those_who_could_read(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    owner, partner, outsider = orgs
    withdrawn = (await register(intake, owner, given_name="Withdrawn"))["id"]
    expiring = (await register(intake, owner, given_name="Expiring"))["id"]
    erased = (await register(intake, owner, given_name="Erased"))["id"]
    survivor = (await register(intake, owner, given_name="Survivor"))["id"]
    merged = (await register(intake, owner, given_name="Merged"))["id"]
    never = (await register(intake, owner, given_name="Never"))["id"]
    consents = {p: await share(intake, owner, p, partner) for p in (withdrawn, expiring, erased)}
    await share(intake, owner, merged, partner)
    now = datetime.now(UTC)
    # A grant limited in time, as an emergency access's (24 hours).
    await sql(
        intake_database,
        "UPDATE access_grant SET expires_at = $1 WHERE source_id = $2",
        now + timedelta(days=2),
        uuid.UUID(consents[expiring]),
    )
    _, _, owner_mark = await sync_until(intake, owner, "0", count(6))
    _, _, partner_mark = await sync_until(intake, partner, "0", count(4))
    _, _, outsider_mark = await sync(intake, outsider, "0")

    person = f"/api/v1/beneficiaries/{withdrawn}"
    gone = await intake.delete(f"{person}/consents/{consents[withdrawn]}", headers=owner.operator)
    assert gone.status_code == 204
    assert (
        await intake.delete(f"/api/v1/beneficiaries/{erased}", headers=owner.admin)
    ).status_code == 204
    folded = await intake.post(
        f"/api/v1/beneficiaries/{survivor}/merge",
        json={"merged_id": merged},
        headers=owner.operator,
    )
    assert folded.status_code == 200, folded.text
    # The owner edits a record whose access the partner lost: the partner is told nothing more.
    await intake.patch(
        f"/api/v1/beneficiaries/{never}",
        json={"municipality": "Roma"},
        headers={**owner.operator, "If-Match": '"1"'},
    )

    items, removed, partner_mark = await sync_until(intake, partner, partner_mark, count(4))
    # The merge moved the partner's grant to the survivor: it now sees the survivor.
    assert [item["id"] for item in items] == [survivor]
    assert sorted(removed, key=lambda r: r["id"]) == sorted(
        [
            removal(withdrawn, "withdrawn"),
            removal(erased, "erased"),
            removal(merged, "merged", survivor),
        ],
        key=lambda r: r["id"],
    )
    owner_items, owner_removed, _ = await sync_until(intake, owner, owner_mark, count(4))
    assert sorted(r["id"] for r in owner_removed) == sorted([erased, merged])
    assert withdrawn in [item["id"] for item in owner_items]  # the owner still sees it

    # Told once: a later change of the record tells the partner nothing.
    await intake.patch(
        person, json={"municipality": "Roma"}, headers={**owner.operator, "If-Match": '"1"'}
    )
    with clock.frozen_at(now + timedelta(days=3)):
        items, removed, _ = await sync_until(intake, partner, partner_mark, count(1))
        assert items == []
        assert removed == [removal(expiring, "withdrawn")]
        later, removed_later, _ = await sync_until(intake, partner, partner_mark, count(1))
    assert removed_later == [removal(expiring, "withdrawn")]  # the same run, the same answer
    assert later == []
    assert (await sync(intake, outsider, outsider_mark))[:2] == ([], [])  # never read them


async def test_a_transfer_tells_the_sender_to_drop_the_person_and_brings_them_to_the_receiver(
    glass: Glass,  # noqa: F811
) -> None:
    rome, latina, milan = (
        await glass.organisation(),
        await glass.organisation(),
        await glass.organisation(),
    )
    person = (await register(glass.intake, rome))["id"]
    await consent(glass.intake, person, rome, latina)
    _, _, rome_mark = await sync_until(glass.intake, rome, "0", count(1))
    _, _, latina_mark = await sync(glass.intake, latina, "0")
    _, _, milan_mark = await sync(glass.intake, milan, "0")
    transfer = (await ask(glass.intake, person, rome, latina.id)).json()["id"]
    assert (await decide(glass.intake, transfer, latina.admin, "accepted")).status_code == 200

    items, removed, rome_mark = await sync_until(glass.intake, rome, rome_mark, count(1))
    assert (items, removed) == ([], [removal(person, "withdrawn")])
    received, _, _ = await sync_until(glass.intake, latina, latina_mark, count(1))
    assert [item["id"] for item in received] == [person]
    assert (await sync(glass.intake, milan, milan_mark))[:2] == ([], [])
    # The sender, once a reader, is told of an erasure.
    record = f"/api/v1/beneficiaries/{person}"
    assert (await glass.intake.delete(record, headers=latina.admin)).status_code == 204
    _, removed, _ = await sync_until(glass.intake, rome, rome_mark, count(1))
    assert removed == [removal(person, "erased")]


async def test_a_sync_refuses_filters_a_forged_watermark_and_one_from_the_future(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner = orgs[0]
    url = "/api/v1/beneficiaries"
    for extra in ({"q": "ahmed"}, {"updated_since": "2020-01-01T00:00:00Z"}):
        filtered = await intake.get(url, params={"since": "0", **extra}, headers=owner.operator)
        assert filtered.status_code == 422
        assert filtered.json()["errors"][0]["field"] == f"query.{next(iter(extra))}"
    forged = await intake.get(url, params={"since": "not-a-mark"}, headers=owner.operator)
    assert forged.status_code == 422
    assert forged.json()["errors"][0]["field"] == "query.since"
    _, _, watermark = await sync(intake, owner, "0")
    xact, moment, scope = decode_cursor(watermark, 3)
    ahead = encode_cursor([xact + 10_000_000, datetime.fromisoformat(str(moment)), scope])
    future = await intake.get(url, params={"since": ahead}, headers=owner.operator)
    assert future.status_code == 410
    assert future.json()["type"].endswith("sync-restart")
    assert future.headers["content-type"].startswith("application/problem+json")
