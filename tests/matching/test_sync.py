"""A sync of matching's mirrored lists (``GET /api/v1/referrals?since=``, ``/offers?since=``,
``/service-points?since=``): commit-ordered, so a change committed while a sync runs comes in the
next one, exactly once; what a caller may no longer see comes as a removal, to the organisations
that could read it only."""

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
from tests.matching.conftest import deliver, offer, person
from tests.matching.test_referrals import referral_row
from tests.matching.test_withdrawal import access
from tests.support import Org, envelope
from tests.sync_support import Done, count, ids_synced_during, sync_run, sync_runs_until

REFERRALS = "/api/v1/referrals"


async def sync(
    client: httpx.AsyncClient, headers: dict[str, str], since: str, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    return await sync_run(client, REFERRALS, headers, since, limit)


async def sync_until(
    client: httpx.AsyncClient, headers: dict[str, str], since: str, done: Done, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    return await sync_runs_until(client, REFERRALS, headers, since, done, limit)


def ids(items: list[dict[str, Any]]) -> list[str]:
    return sorted(item["id"] for item in items)


async def test_a_first_load_pages_every_readable_referral_once_then_only_what_moved(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, outsider = orgs
    course = await offer(matching, provider)
    first = str(await referral_row(matching_database, await person(matching, ngo), course, ngo))
    second = str(await referral_row(matching_database, await person(matching, ngo), course, ngo))

    items, removed, watermark = await sync_until(matching, ngo.operator, "0", count(2), limit=1)
    assert ids(items) == sorted([first, second])
    assert removed == []
    provided, _, provider_mark = await sync_until(matching, provider.provider, "0", count(2))
    assert ids(provided) == sorted([first, second])
    assert all(item["person"]["given_name"] == "Amal" for item in provided)
    assert (await sync(matching, outsider.operator, "0"))[:2] == ([], [])

    # Nothing changed: nothing comes; a move brings the referral again to both sides, only it.
    assert (await sync(matching, ngo.operator, watermark))[0] == []
    moved = await matching.patch(
        f"{REFERRALS}/{first}", json={"status": "enrolled"}, headers=provider.provider
    )
    assert moved.status_code == 200, moved.text
    for headers, since in ((ngo.operator, watermark), (provider.provider, provider_mark)):
        again, _, _ = await sync_until(matching, headers, since, count(1))
        assert [(item["id"], item["status"]) for item in again] == [(first, "enrolled")]


async def test_a_change_committed_after_a_sync_began_comes_in_the_next_one(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    course = await offer(matching, provider)
    slow = str(await referral_row(matching_database, await person(matching, ngo), course, ngo))
    _, _, watermark = await sync_until(matching, ngo.operator, "0", count(1))
    engine = create_engine(matching_database, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(
                text("UPDATE referral SET note = 'late writer' WHERE id = :id"), {"id": slow}
            )
            # Meanwhile a later referral commits and a sync runs.
            fast = await referral_row(
                matching_database, await person(matching, ngo), course, ngo, note="fast"
            )
            items, _, during = await sync(matching, ngo.operator, watermark)
            assert items == []
            await transaction.commit()
    finally:
        await engine.dispose()
    items, _, after = await sync_until(matching, ngo.operator, during, count(2))
    assert sorted((item["id"], item["note"]) for item in items) == sorted(
        [(slow, "late writer"), (str(fast), "fast")]
    )
    assert (await sync(matching, ngo.operator, after))[0] == []


async def test_concurrent_writers_every_referral_arrives_exactly_once(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    """Writers refer people (some in transactions held open across syncs) while the provider
    syncs in a loop; every referral arrives, and once."""
    ngo, provider, _ = orgs
    course = await offer(matching, provider, seats=50)
    people = [await person(matching, ngo) for _ in range(24)]
    engine = create_engine(matching_database, pool_size=4, max_overflow=0)
    held: list[str] = []

    async def slow_writer(index: int) -> None:
        async with engine.connect() as connection, connection.begin():
            referral_id = str(uuid.uuid4())
            await connection.execute(
                text(
                    "INSERT INTO referral (id, beneficiary_id, offer_id, organization_id, "
                    "provider_organization_id, status, history, version, created_by) VALUES "
                    "(:id, :person, :offer, :org, :provider, 'proposed', '[]'::jsonb, 1, 'held')"
                ),
                {
                    "id": referral_id,
                    "person": people[index],
                    "offer": course["id"],
                    "org": ngo.id,
                    "provider": provider.id,
                },
            )
            held.append(referral_id)
            await asyncio.sleep(0.15)  # a sync or two runs while this is uncommitted

    async def writers() -> list[str]:
        made: list[str] = []
        for index in range(12):
            if index % 3 == 0:
                await slow_writer(12 + index)
            made.append(str(await referral_row(matching_database, people[index], course, ngo)))
        return made

    try:
        writing = asyncio.create_task(writers())
        seen = await ids_synced_during(matching, REFERRALS, provider.provider, writing, 16)
        made = writing.result()
    finally:
        await engine.dispose()
    assert len(held) == 4
    assert sorted(seen) == sorted(made + held)  # all of them, none twice


async def test_a_withdrawn_view_is_a_removal_to_the_referrer_and_a_hidden_card_to_the_provider(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    """The partner that referred loses the person (its sharing consent withdrawn): it is told to
    drop them; the provider keeps the referral, now dropped and without the card; an outsider
    hears nothing."""
    owner, provider, partner = orgs
    outsider = Org(owner.issuer)
    someone = await person(matching, owner, shared_with=(partner,))
    course = await offer(matching, provider)
    referral = str(await referral_row(matching_database, someone, course, partner))
    _, _, partner_mark = await sync_until(matching, partner.operator, "0", count(1))
    _, _, provider_mark = await sync_until(matching, provider.provider, "0", count(1))
    _, _, outsider_mark = await sync(matching, outsider.operator, "0")

    await deliver(matching, access(someone, owner, 2))  # no grants: the partner's view ends
    items, removed, _ = await sync_until(matching, partner.operator, partner_mark, count(1))
    assert items == []
    assert removed == [
        {"type": "beneficiary", "id": str(someone), "reason": "withdrawn", "merged_into": None}
    ]
    items, removed, _ = await sync_until(matching, provider.provider, provider_mark, count(1))
    assert [(item["id"], item["status"], item["person"]) for item in items] == [
        (referral, "dropped", None)
    ]
    assert removed == []
    assert (await sync(matching, outsider.operator, outsider_mark))[:2] == ([], [])


async def test_an_expired_grant_and_an_erasure_are_told_to_whom_they_concern(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    """An expiry writes nothing until the sweep: the sync tells the referrer to drop the person
    and brings the provider the referral again, without the card. An erasure: the owner drops
    the person; the provider reads what is left of the referral."""
    owner, provider, partner = orgs
    now = datetime.now(UTC)
    expiring = await person(matching, owner)
    grant = {
        "organization_id": str(partner.id),
        "sections": ["profile"],
        "expires_at": (now + timedelta(days=2)).isoformat(),
    }
    await deliver(matching, access(expiring, owner, 2, grants=[grant]))
    erased = await person(matching, owner)
    course = await offer(matching, provider)
    shared = str(await referral_row(matching_database, expiring, course, partner))
    owners = str(await referral_row(matching_database, erased, course, owner))
    _, _, partner_mark = await sync_until(matching, partner.operator, "0", count(1))
    _, _, provider_mark = await sync_until(matching, provider.provider, "0", count(2))
    _, _, owner_mark = await sync_until(matching, owner.operator, "0", count(1))

    with clock.frozen_at(now + timedelta(days=3)):
        items, removed, _ = await sync_until(matching, partner.operator, partner_mark, count(1))
        assert items == []
        assert [(r["type"], r["id"], r["reason"]) for r in removed] == [
            ("beneficiary", str(expiring), "withdrawn")
        ]
        items, removed, provider_mark = await sync_until(
            matching, provider.provider, provider_mark, count(1)
        )
        assert [(item["id"], item["person"]) for item in items] == [(shared, None)]
        assert removed == []
        assert (await sync(matching, owner.operator, owner_mark))[:2] == ([], [])

    await deliver(
        matching,
        envelope(
            "beneficiary.erased",
            {"beneficiary_id": str(erased), "organization_id": str(owner.id)},
        ),
    )
    items, removed, _ = await sync_until(matching, owner.operator, owner_mark, count(1))
    assert items == []
    assert [(r["type"], r["id"], r["reason"]) for r in removed] == [
        ("beneficiary", str(erased), "erased")
    ]
    items, removed, _ = await sync_until(matching, provider.provider, provider_mark, count(1))
    assert [(item["id"], item["status"], item["person"]) for item in items] == [
        (owners, "dropped", None)
    ]
    assert removed == []


async def test_a_referrer_that_also_provides_for_the_person_drops_single_referrals(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    """An organisation that both referred the person (through a grant) and provides an offer
    another organisation referred them to: when the grant ends it still reads the second
    referral, so it is told to drop the first one, not the person."""
    owner, both, _ = orgs
    headers = both.headers("operator", "provider")
    someone = await person(matching, owner, shared_with=(both,))
    elsewhere = await offer(matching, Org(owner.issuer))
    its_own = await offer(matching, both)
    referred = str(await referral_row(matching_database, someone, elsewhere, both))
    provided = str(await referral_row(matching_database, someone, its_own, owner))
    items, _, watermark = await sync_until(matching, headers, "0", count(2))
    assert ids(items) == sorted([referred, provided])

    # The grant ends; the owner's referral to ``both``'s offer is written meanwhile too.
    await deliver(matching, access(someone, owner, 2))
    items, removed, _ = await sync_until(
        matching, headers, watermark, lambda _, removed: bool(removed)
    )
    assert removed == [
        {"type": "referral", "id": referred, "reason": "withdrawn", "merged_into": None}
    ]
    assert set(ids(items)) <= {provided}


async def test_a_sync_refuses_filters_a_forged_watermark_and_one_from_the_future(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo = orgs[0]
    filtered = await matching.get(
        REFERRALS, params={"since": "0", "status": "proposed"}, headers=ngo.operator
    )
    assert filtered.status_code == 422
    assert filtered.json()["errors"][0]["field"] == "query.status"
    forged = await matching.get(REFERRALS, params={"since": "not-a-mark"}, headers=ngo.operator)
    assert forged.status_code == 422
    assert forged.json()["errors"][0]["field"] == "query.since"
    _, _, watermark = await sync(matching, ngo.operator, "0")
    xact, moment, scope = decode_cursor(watermark, 3)
    ahead = encode_cursor([xact + 10_000_000, datetime.fromisoformat(str(moment)), scope])
    gone = await matching.get(REFERRALS, params={"since": ahead}, headers=ngo.operator)
    assert gone.status_code == 410
    assert gone.json()["type"].endswith("sync-restart")


OFFERS, POINTS = "/api/v1/offers", "/api/v1/service-points"


async def test_the_catalogue_syncs_in_commit_order_with_its_deletions(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    """Offers: a first load paged by one, then what changed; a deletion comes as removed to a
    reader of the offer, a draft's deletion to its own organisation only. A service point closed
    (its DELETE) still comes, as an item: referrals name it."""
    provider, reader, _ = orgs
    first, second = await offer(matching, provider), await offer(matching, provider)
    draft = await offer(matching, provider, status="draft")
    items, removed, reader_mark = await sync_runs_until(
        matching, OFFERS, reader.operator, "0", count(2), limit=1
    )
    assert ids(items) == sorted([first["id"], second["id"]])  # another's draft: never
    _, _, provider_mark = await sync_runs_until(matching, OFFERS, provider.provider, "0", count(3))

    engine = create_engine(matching_database, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(
                text("UPDATE offer SET title = 'Late title' WHERE id = :id"), {"id": first["id"]}
            )
            for gone in (second, draft):
                deleted = await matching.delete(f"{OFFERS}/{gone['id']}", headers=provider.provider)
                assert deleted.status_code == 204
            during, _, _ = await sync_run(matching, OFFERS, reader.operator, reader_mark)
            assert during == []  # the held update is older than the deletions: both wait
            await transaction.commit()
    finally:
        await engine.dispose()
    items, removed, _ = await sync_runs_until(
        matching, OFFERS, reader.operator, reader_mark, count(2)
    )
    assert [(item["id"], item["title"]) for item in items] == [(first["id"], "Late title")]
    assert removed == [
        {"type": "offer", "id": second["id"], "reason": "deleted", "merged_into": None}
    ]
    items, removed, _ = await sync_runs_until(
        matching, OFFERS, provider.provider, provider_mark, count(3)
    )
    assert sorted((r["id"], r["reason"]) for r in removed) == sorted(
        [(second["id"], "deleted"), (draft["id"], "deleted")]
    )

    point = await matching.post(
        POINTS,
        json={
            "name": "Sportello",
            "kind": "legal_aid",
            "need_domains": ["housing"],
            "tier": "low_threshold",
            "territory_code": "IT_058091",
            "access_mode": "drop_in",
        },
        headers=provider.provider,
    )
    assert point.status_code == 201, point.text
    _, _, point_mark = await sync_runs_until(matching, POINTS, reader.operator, "0", count(1))
    closed = await matching.delete(f"{POINTS}/{point.json()['id']}", headers=provider.provider)
    assert closed.status_code == 204
    items, removed, _ = await sync_runs_until(
        matching, POINTS, reader.operator, point_mark, count(1)
    )
    assert [(item["id"], item["status"]) for item in items] == [(point.json()["id"], "closed")]
    assert removed == []


async def test_concurrent_writers_every_offer_arrives_exactly_once(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    provider, reader, _ = orgs
    engine = create_engine(matching_database, pool_size=4, max_overflow=0)
    held: list[str] = []

    async def slow_writer() -> None:
        async with engine.connect() as connection, connection.begin():
            offer_id = str(uuid.uuid4())
            await connection.execute(
                text(
                    "INSERT INTO offer (id, organization_id, type, title, status, seats, "
                    "seats_taken, required_skills, preferred_skills, permit_must_allow_work, "
                    "languages_of_instruction, version, created_by) VALUES (:id, :org, "
                    "'internship', 'Held', 'open', 1, 0, '{}', '{}', false, '{}', 1, 'held')"
                ),
                {"id": offer_id, "org": provider.id},
            )
            held.append(offer_id)
            await asyncio.sleep(0.15)

    async def writers() -> list[str]:
        made: list[str] = []
        for index in range(12):
            if index % 3 == 0:
                await slow_writer()
            made.append((await offer(matching, provider))["id"])
        return made

    try:
        writing = asyncio.create_task(writers())
        seen = await ids_synced_during(matching, OFFERS, reader.operator, writing, 16)
        made = writing.result()
    finally:
        await engine.dispose()
    assert sorted(seen) == sorted(made + held)


async def test_a_catalogue_sync_refuses_filters_and_a_watermark_older_than_its_deletions(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    reader = orgs[0]
    for path, name, value in ((OFFERS, "type", "internship"), (POINTS, "status", "closed")):
        filtered = await matching.get(
            path, params={"since": "0", name: value}, headers=reader.operator
        )
        assert filtered.status_code == 422
        assert filtered.json()["errors"][0]["field"] == f"query.{name}"
        _, _, watermark = await sync_run(matching, path, reader.operator, "0")
        xact, moment, scope = decode_cursor(watermark, 3)
        old = encode_cursor([xact, datetime.fromisoformat(str(moment)) - timedelta(days=91), scope])
        gone = await matching.get(path, params={"since": old}, headers=reader.operator)
        assert gone.status_code == 410
        assert gone.json()["type"].endswith("sync-restart")
        ahead = encode_cursor([xact + 10_000_000, datetime.fromisoformat(str(moment)), scope])
        assert (
            await matching.get(path, params={"since": ahead}, headers=reader.operator)
        ).status_code == 410
