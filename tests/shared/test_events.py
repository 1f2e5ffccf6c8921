"""The outbox, the relay and the inbox against real PostgreSQL: a producer database with an outbox,
a consumer database with an inbox, and a consumer app served to the relay over ASGI."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, Identity, Integer, Table, Uuid, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db import create_engine, make_metadata, session_factory
from shared.errors import install_handlers, problem_type
from shared.events import (
    EventEnvelope,
    HttpSender,
    OutboxRelay,
    Subscriber,
    emit,
    events_router,
    inbox_table,
    outbox_tables,
    purge_delivered,
    scrub,
)
from shared.settings import ServiceSettings
from shared.testing.plugin import DatabaseFactory

TOKEN = "internal-test-token"
NUMBERED, OTHER = "test.numbered", "test.other"

producer_metadata = make_metadata()
OUTBOX = outbox_tables(producer_metadata)
consumer_metadata = make_metadata()
INBOX = inbox_table(consumer_metadata)
APPLIED = Table(  # what the consumer's handler did, in the order it did it; duplicates would show
    "applied_event",
    consumer_metadata,
    Column("position", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("number", Integer, nullable=False),
)
Sessions = async_sessionmaker[AsyncSession]


@dataclass
class Databases:
    producer: Sessions
    consumer: Sessions


@pytest.fixture(scope="module")
async def engines(database_factory: DatabaseFactory) -> AsyncIterator[tuple[AsyncEngine, ...]]:
    producer = create_engine(await database_factory("events_producer"), pool_size=20)
    consumer = create_engine(await database_factory("events_consumer"), pool_size=20)
    async with producer.begin() as connection:
        await connection.run_sync(producer_metadata.create_all)
    async with consumer.begin() as connection:
        await connection.run_sync(consumer_metadata.create_all)
    yield producer, consumer
    await producer.dispose()
    await consumer.dispose()


@pytest.fixture
async def db(engines: tuple[AsyncEngine, AsyncEngine]) -> Databases:
    producer, consumer = engines
    async with producer.begin() as connection:
        await connection.execute(text("TRUNCATE outbox_event, outbox_cursor RESTART IDENTITY"))
    async with consumer.begin() as connection:
        await connection.execute(text("TRUNCATE inbox_event, applied_event RESTART IDENTITY"))
    return Databases(session_factory(producer), session_factory(consumer))


@dataclass
class Consumer:
    """The consumer's behaviour, changed by the tests: numbers it fails on, a slow handler."""

    failing: set[int] = field(default_factory=set)
    delay: float = 0.0


class Network(httpx.AsyncBaseTransport):
    """The consumer app over ASGI, with hosts that can be taken down."""

    def __init__(self, app: FastAPI) -> None:
        self.asgi = httpx.ASGITransport(app=app)
        self.down: set[str] = set()
        self.sent = 0  # events that reached the consumer, duplicates included

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        with contextlib.suppress(ValueError):  # the malformed bodies of the 422 test
            self.sent += len(json.loads(await request.aread())["events"])
        return await self.asgi.handle_async_request(request)


def consumer_app(sessions: Sessions, behaviour: Consumer, *, token: str = TOKEN) -> FastAPI:
    async def record(session: AsyncSession, event: EventEnvelope) -> None:
        number = int(event.payload["n"])
        if behaviour.delay:
            await asyncio.sleep(behaviour.delay)
        if number in behaviour.failing:
            raise RuntimeError("the consumer cannot apply this one yet")
        await session.execute(insert(APPLIED).values(event_id=event.id, number=number))

    app = FastAPI()
    install_handlers(app)
    app.state.settings = ServiceSettings(internal_token=token)
    app.state.sessions = sessions
    app.include_router(events_router({NUMBERED: record, OTHER: record}, INBOX))
    return app


@dataclass
class World:
    db: Databases
    consumer: Consumer
    network: Network
    client: httpx.AsyncClient

    def relay(self, *subscribers: Subscriber, **options: Any) -> OutboxRelay:
        settings: dict[str, Any] = {
            "poll_seconds": 0.05,
            "backoff_base_seconds": 0.01,
            "backoff_cap_seconds": 0.05,
            "retention": None,
            **options,
        }
        return OutboxRelay(
            self.db.producer,
            OUTBOX,
            subscribers or (CONSUMER,),
            HttpSender(self.client, TOKEN, timeout_seconds=5),
            **settings,
        )


CONSUMER = Subscriber("consumer", "http://consumer/internal/events")


@pytest.fixture
async def world(db: Databases) -> AsyncIterator[World]:
    behaviour = Consumer()
    network = Network(consumer_app(db.consumer, behaviour))
    async with httpx.AsyncClient(transport=network, base_url="http://consumer") as client:
        yield World(db, behaviour, network, client)


async def emit_numbers(
    sessions: Sessions, numbers: Iterable[int], event_type: str = NUMBERED
) -> list[uuid.UUID]:
    async with sessions() as session, session.begin():
        return [
            await emit(session, OUTBOX, event_type, {"n": n}, source="producer") for n in numbers
        ]


async def applied(world: World) -> list[int]:
    async with world.db.consumer() as session:
        return list(await session.scalars(select(APPLIED.c.number).order_by(APPLIED.c.position)))


async def cursor(world: World, name: str = "consumer") -> Any:
    async with world.db.producer() as session:
        table = OUTBOX.cursor
        return (await session.execute(select(table).where(table.c.subscriber == name))).first()


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Wait for a condition on the databases (another system: there is no event to await)."""
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def applied_are(world: World, expected: list[int]) -> None:
    try:
        await eventually(received(world, expected))
    except TimeoutError:
        assert await applied(world) == expected  # shows the difference


async def step_until(
    relay: OutboxRelay, done: Callable[[], Awaitable[bool]], name: str = "consumer"
) -> None:
    """Step the relay by hand until ``done``. Not one step: the horizon is the server's, so a
    write transaction open in another database (another test worker's) may hold events back."""

    async def stepped() -> bool:
        await relay.deliver_once(name)
        return await done()

    await eventually(stepped)


def all_received(relay: OutboxRelay, name: str = "consumer") -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return all(s.pending == 0 for s in await relay.status() if s.subscriber == name)

    return check


def received(world: World, expected: list[int]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await applied(world) == expected

    return check


def batch(*numbers: int) -> dict[str, Any]:
    return {
        "events": [
            {
                "id": str(uuid.uuid4()),
                "type": NUMBERED,
                "source": "producer",
                "occurred_at": "2026-01-01T00:00:00Z",
                "payload": {"n": n},
            }
            for n in numbers
        ]
    }


AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Numbered(BaseModel):
    n: int


async def test_a_rolled_back_event_is_never_sent(world: World) -> None:
    async with world.db.producer() as session, session.begin():
        await emit(session, OUTBOX, NUMBERED, {"n": 1}, source="producer")
        await session.rollback()
    await emit_numbers(world.db.producer, [2])
    async with world.relay():
        await applied_are(world, [2])


async def test_committed_events_arrive_once_and_in_order(world: World) -> None:
    async with world.db.producer() as session, session.begin():
        await emit(session, OUTBOX, NUMBERED, Numbered(n=1), source="producer")
        await emit(session, OUTBOX, NUMBERED, {"n": 2}, source="producer")
    await emit_numbers(world.db.producer, [3])
    await emit_numbers(world.db.producer, [4, 5, 6])
    relay = world.relay(batch_size=4)
    async with relay:
        await applied_are(world, [1, 2, 3, 4, 5, 6])
        # The relay records a batch as delivered once the consumer's answer is back, a moment
        # after the consumer applied it.
        await eventually(all_received(relay))
        [status] = await relay.status()
    assert (status.pending, status.failures, status.last_error) == (0, 0, None)
    assert await relay.deliver_once("consumer") == 0
    assert await applied(world) == [1, 2, 3, 4, 5, 6]


async def test_a_commit_wakes_the_relay_without_waiting_for_the_poll(world: World) -> None:
    async with world.relay(poll_seconds=60):

        async def idle() -> bool:
            return await cursor(world) is not None  # its first (empty) step is done

        await eventually(idle)
        await emit_numbers(world.db.producer, [1])
        await applied_are(world, [1])


async def test_a_commit_held_back_by_a_running_transaction_is_chased_not_left_to_the_poll(
    world: World,
) -> None:
    """The horizon is the server's: a transaction open anywhere (another service's, another
    test worker's) holds a new commit's events back; the relay looks again soon after the wake,
    not a whole poll (a minute here) later."""
    async with world.relay(poll_seconds=60):

        async def idle() -> bool:
            return await cursor(world) is not None

        await eventually(idle)
        async with world.db.producer() as blocker:
            await blocker.begin()
            await blocker.execute(text("SELECT pg_current_xact_id()"))  # takes a transaction id
            await emit_numbers(world.db.producer, [1])  # commits and wakes the relay: held back
            await asyncio.sleep(0.3)
            await blocker.rollback()
        await applied_are(world, [1])


async def test_an_event_committed_after_a_later_numbered_one_is_not_lost(world: World) -> None:
    relay = world.relay()
    producer = world.db.producer
    # First emitted, last committed: seq 1 commits after seq 2 (delivery by seq alone loses it).
    async with producer() as first, producer() as second:
        await first.begin()
        await emit(first, OUTBOX, NUMBERED, {"n": 1}, source="producer")
        await emit_numbers(producer, [2])
        assert await relay.deliver_once("consumer") == 0  # held back while the first is open
        await first.commit()
        # The reverse: a transaction that began writing first (lower id) emits last.
        await second.begin()
        await second.execute(text("SELECT pg_current_xact_id()"))
        await emit_numbers(producer, [3])
        await emit(second, OUTBOX, NUMBERED, {"n": 4}, source="producer")
        await step_until(relay, received(world, [1, 2]))
        assert await relay.deliver_once("consumer") == 0  # 3 waits for the older transaction
        await second.commit()
    await step_until(relay, received(world, [1, 2, 4, 3]))


async def test_a_consumer_that_is_down_gets_everything_once_back(world: World) -> None:
    world.network.down.add("consumer")
    await emit_numbers(world.db.producer, [1, 2, 3])
    relay = world.relay()
    async with relay:

        async def retried() -> bool:
            state = await cursor(world)
            return state is not None and state.failures >= 3

        await eventually(retried)
        state = await cursor(world)
        assert (state.last_seq, state.last_error) == (0, "ConnectError")
        assert state.next_attempt_at is not None
        [status] = await relay.status()
        assert status.pending == 3
        assert status.oldest_pending_at is not None
        assert await applied(world) == []
        world.network.down.clear()
        await applied_are(world, [1, 2, 3])

        async def recovered() -> bool:
            # the cursor moves in its own transaction just after the consumer answered
            state = await cursor(world)
            return state is not None and state.failures == 0

        await eventually(recovered)
    state = await cursor(world)
    assert (state.failures, state.last_error, state.next_attempt_at) == (0, None, None)


async def test_a_failing_handler_is_retried_from_its_event(world: World) -> None:
    world.consumer.failing.add(2)
    await emit_numbers(world.db.producer, [1, 2, 3])
    async with world.relay():

        async def retried() -> bool:
            state = await cursor(world)
            return state is not None and state.failures >= 2

        await eventually(retried)
        assert (await cursor(world)).last_error == "HTTP 500"
        assert await applied(world) == [1]  # the event before the failure stays applied
        world.consumer.failing.clear()
        await applied_are(world, [1, 2, 3])


async def test_a_redelivered_batch_is_applied_once(world: World) -> None:
    body = batch(1, 2, 3)
    first = await world.client.post("/internal/events", json=body, headers=AUTH)
    again = await world.client.post("/internal/events", json=body, headers=AUTH)
    assert first.json() == {"processed": 3, "skipped": 0}
    assert again.json() == {"processed": 0, "skipped": 3}
    assert await applied(world) == [1, 2, 3]


async def test_a_handler_error_stops_the_batch_at_that_event(world: World) -> None:
    world.consumer.failing.add(2)
    body = batch(1, 2, 3)
    answer = await world.client.post("/internal/events", json=body, headers=AUTH)
    assert answer.status_code == 500
    problem = answer.json()
    assert problem["type"] == problem_type("event-handling-failed")
    assert (problem["event_id"], problem["processed"]) == (body["events"][1]["id"], 1)
    assert "cannot apply" not in answer.text  # the error's text stays in the service
    assert await applied(world) == [1]
    world.consumer.failing.clear()
    again = await world.client.post("/internal/events", json=body, headers=AUTH)
    assert again.json() == {"processed": 2, "skipped": 1}
    assert await applied(world) == [1, 2, 3]


async def test_two_replicas_apply_each_event_once_and_in_order(world: World) -> None:
    producer = world.db.producer
    async with world.relay(batch_size=7), world.relay(batch_size=5):
        await asyncio.gather(*(emit_numbers(producer, range(k * 5, k * 5 + 5)) for k in range(12)))

        async def all_applied() -> bool:
            return len(await applied(world)) >= 60

        await eventually(all_applied)
    async with producer() as session:
        event = OUTBOX.event.c
        order = list(
            await session.scalars(select(event.event_id).order_by(event.transaction_id, event.seq))
        )
    async with world.db.consumer() as session:
        received = list(
            await session.scalars(select(APPLIED.c.event_id).order_by(APPLIED.c.position))
        )
    assert received == order
    assert sorted(await applied(world)) == list(range(60))
    assert world.network.sent == 60  # one replica at a time: not even sent twice


async def test_a_replica_stopping_mid_delivery_finishes_it_rather_than_leave_it_resent(
    world: World,
) -> None:
    world.consumer.delay = 0.3
    leaving, staying = world.relay(), world.relay()
    leaving.start()
    await emit_numbers(world.db.producer, [1])

    async def in_flight() -> bool:
        return world.network.sent == 1

    await eventually(in_flight)

    async def delivered() -> bool:
        return await applied(world) == [1]

    async with staying:
        await leaving.stop()  # a rolling update, while the consumer is applying the batch
        await eventually(delivered)
        await asyncio.sleep(0.2)  # several of the staying replica's polls
    assert world.network.sent == 1  # cut off, its cursor would have stayed and it was resent


async def test_concurrent_deliveries_of_one_event_apply_it_once(world: World) -> None:
    world.consumer.delay = 0.2
    body = batch(1)
    answers = await asyncio.gather(
        *(world.client.post("/internal/events", json=body, headers=AUTH) for _ in range(2))
    )
    outcomes = sorted((a.json()["processed"], a.json()["skipped"]) for a in answers)
    assert outcomes == [(0, 1), (1, 0)]
    assert await applied(world) == [1]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}],
    ids=["missing", "wrong", "not-bearer"],
)
async def test_deliveries_need_the_internal_token(world: World, headers: dict[str, str]) -> None:
    answer = await world.client.post("/internal/events", json=batch(1), headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert await applied(world) == []
    async with world.db.consumer() as session:
        assert await session.scalar(select(INBOX.c.event_id)) is None


async def test_deliveries_are_refused_while_no_token_is_configured(db: Databases) -> None:
    app = consumer_app(db.consumer, Consumer(), token="")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://consumer"
    ) as client:
        answer = await client.post("/internal/events", json=batch(1), headers=AUTH)
    assert answer.status_code == 503
    assert "/internal/events" not in app.openapi()["paths"]


async def test_a_malformed_batch_is_a_422(world: World) -> None:
    too_many = await world.client.post("/internal/events", json=batch(*[0] * 1001), headers=AUTH)
    not_json = await world.client.post("/internal/events", content=b"{", headers=AUTH)
    assert (too_many.status_code, not_json.status_code) == (422, 422)
    assert too_many.json()["errors"][0]["field"] == "body.events"


async def test_unknown_types_are_recorded_and_skipped(world: World) -> None:
    body = batch(1)
    body["events"][0]["type"] = "test.unknown"
    answer = await world.client.post("/internal/events", json=body, headers=AUTH)
    assert answer.json() == {"processed": 0, "skipped": 1}
    async with world.db.consumer() as session:
        assert await session.scalar(select(INBOX.c.type)) == "test.unknown"


async def test_a_subscriber_gets_only_the_types_it_wants(world: World) -> None:
    await emit_numbers(world.db.producer, [1])
    await emit_numbers(world.db.producer, [2], OTHER)
    await emit_numbers(world.db.producer, [3])
    numbered_only = Subscriber(CONSUMER.name, CONSUMER.url, types=frozenset({NUMBERED}))
    relay = world.relay(numbered_only)
    await step_until(relay, all_received(relay))  # the cursor moved past the unwanted one too
    assert await applied(world) == [1, 3]


async def test_purge_keeps_what_a_subscriber_has_not_received(world: World) -> None:
    fast = Subscriber("fast", "http://fast/internal/events")
    slow = Subscriber("slow", "http://slow/internal/events")
    world.network.down.add("slow")
    await emit_numbers(world.db.producer, [1, 2])
    relay = world.relay(fast, slow)
    await step_until(relay, all_received(relay, "fast"), "fast")
    assert await relay.deliver_once("slow") == 0

    async def purge(older_than: timedelta, *names: str) -> int:
        async with world.db.producer() as session, session.begin():
            return await purge_delivered(session, OUTBOX, older_than, subscribers=names)

    assert await purge(timedelta(0), "fast", "slow") == 0
    assert await purge(timedelta(0), "fast", "not-started-yet") == 0
    world.network.down.clear()
    await step_until(relay, all_received(relay, "slow"), "slow")
    assert await purge(timedelta(hours=1), "fast", "slow") == 0  # not old enough yet
    assert await relay.purge(timedelta(0)) == 2


async def test_scrub_drops_a_persons_events_but_keeps_the_erasure(world: World) -> None:
    person, other = uuid.uuid4(), uuid.uuid4()
    async with world.db.producer() as session, session.begin():
        for event_type, about in [
            ("registered", person),
            ("registered", other),
            ("erased", person),
        ]:
            payload = {"beneficiary_id": about, "profile": {"municipality": "Roma"}}
            await emit(session, OUTBOX, event_type, payload, source="producer")
    async with world.db.producer() as session, session.begin():
        dropped = await scrub(
            session, OUTBOX, payload_contains={"beneficiary_id": person}, keep_types={"erased"}
        )
    assert dropped == 1
    async with world.db.producer() as session:
        rows = await session.execute(select(OUTBOX.event.c.type, OUTBOX.event.c.payload))
        left = sorted((row.type, row.payload["beneficiary_id"]) for row in rows)
    assert left == sorted([("registered", str(other)), ("erased", str(person))])


async def test_a_restore_that_sets_transaction_ids_back_loses_nothing(world: World) -> None:
    relay = world.relay()
    await emit_numbers(world.db.producer, [1, 2])
    await step_until(relay, received(world, [1, 2]))
    await emit_numbers(world.db.producer, [3, 4])
    # As after pg_restore into a new cluster: the stored ids are ahead of the server's counter.
    async with world.db.producer() as session, session.begin():
        ahead = {"ahead": 10**12}
        await session.execute(text("UPDATE outbox_event SET transaction_id = :ahead + seq"), ahead)
        await session.execute(
            text("UPDATE outbox_cursor SET last_transaction_id = :ahead + last_seq"), ahead
        )
    assert await relay.deliver_once("consumer") == 0  # renumbers
    assert (await cursor(world)).last_transaction_id == 0
    assert world.network.sent == 2  # not resent: the cursor restarted where it was
    await emit_numbers(world.db.producer, [5])
    await step_until(relay, received(world, [1, 2, 3, 4, 5]))
