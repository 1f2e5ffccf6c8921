"""The relay's housekeeping purges the service's inbox on the outbox's retention (the ids of the
events it applied: old ones go, recent ones stay), and the lifespan hooks find the inbox that
sits beside the outbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db import create_engine, make_metadata, session_factory
from shared.events import (
    EVENT_RETENTION,
    HttpSender,
    OutboxRelay,
    Subscriber,
    inbox_table,
    outbox_tables,
    relay_hooks,
)
from shared.testing.plugin import DatabaseFactory

metadata = make_metadata()
OUTBOX = outbox_tables(metadata)
INBOX = inbox_table(metadata)
lonely_metadata = make_metadata()
LONELY_OUTBOX = outbox_tables(lonely_metadata)  # a producer that consumes nothing
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(scope="module")
async def engine(database_factory: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(await database_factory("inbox_purge"), pool_size=5)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sessions(engine: AsyncEngine) -> Sessions:
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE inbox_event, outbox_event, outbox_cursor"))
    return session_factory(engine)


def relay(
    sessions: Sessions, inbox: Table | None = None, retention: timedelta | None = EVENT_RETENTION
) -> OutboxRelay:
    sender = HttpSender(httpx.AsyncClient(), "token")
    subscribers = [Subscriber("other", "http://other")]
    return OutboxRelay(sessions, OUTBOX, subscribers, sender, retention=retention, inbox=inbox)


async def applied(sessions: Sessions, age: timedelta) -> uuid.UUID:
    event_id = uuid.uuid4()
    async with sessions() as session, session.begin():
        await session.execute(
            insert(INBOX).values(
                event_id=event_id,
                type="test.event",
                source="test",
                received_at=datetime.now(UTC) - age,
            )
        )
    return event_id


async def remaining(sessions: Sessions) -> set[uuid.UUID]:
    async with sessions() as session:
        return set(await session.scalars(select(INBOX.c.event_id)))


async def test_housekeeping_forgets_old_applied_ids_and_keeps_recent_ones(
    sessions: Sessions,
) -> None:
    old = await applied(sessions, EVENT_RETENTION + timedelta(minutes=1))
    recent = await applied(sessions, EVENT_RETENTION - timedelta(minutes=1))
    fresh = await applied(sessions, timedelta(0))
    await relay(sessions, inbox=INBOX).housekeep()
    assert await remaining(sessions) == {recent, fresh}
    assert old not in await remaining(sessions)


async def test_the_inbox_follows_the_relays_retention(sessions: Sessions) -> None:
    await applied(sessions, timedelta(hours=3))
    kept = await applied(sessions, timedelta(hours=1))
    await relay(sessions, inbox=INBOX, retention=timedelta(hours=2)).housekeep()
    assert await remaining(sessions) == {kept}


async def test_without_an_inbox_or_a_retention_no_inbox_is_purged(sessions: Sessions) -> None:
    old = await applied(sessions, EVENT_RETENTION * 2)
    await relay(sessions).housekeep()
    worker = relay(sessions, inbox=INBOX, retention=None)
    worker.start()
    await worker.stop()
    assert await remaining(sessions) == {old}


async def test_the_lifespan_hooks_purge_the_inbox_beside_the_outbox(engine: AsyncEngine) -> None:
    for tables, inbox in ((OUTBOX, INBOX), (LONELY_OUTBOX, None)):
        app = FastAPI()
        app.state.sessions = session_factory(engine)
        async with httpx.AsyncClient() as http:
            app.state.http = http
            start, stop = relay_hooks(tables, [Subscriber("other", "http://other")], "token")
            await start(app)
            try:
                assert app.state.relay._inbox is inbox
            finally:
                await stop(app)
