"""The relay: delivers a service's outbox to each subscriber, at least once and in order.

One asyncio task per subscriber. Each step, in one transaction: take the subscriber's advisory
lock (so that one replica at a time delivers to it), read its cursor, read the next batch after
it, send the batch, and move the cursor only once the subscriber answered success. A failure
leaves the cursor where it was and schedules the next attempt with exponential back-off and
jitter; the same events, in the same order, are sent again. Consumers therefore see every event
at least once and must apply each event id once (``shared.events.inbox`` does).

An advisory lock rather than ``SELECT ... FOR UPDATE`` on the cursor row: locking a row assigns
the relay's transaction an id, which would hold the visibility horizon (see ``outbox``) back for
every other subscriber while a slow consumer keeps this one waiting on its POST.
"""

from __future__ import annotations

import asyncio
import random
import zlib
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from fastapi import FastAPI
from sqlalchemy import CursorResult, Row, Table, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events.envelope import EventEnvelope
from shared.events.inbox import INBOX_TABLE, purge_inbox
from shared.events.outbox import (
    EMITTED_KEY,
    NEXT_TRANSACTION_ID,
    OLDEST_RUNNING,
    OutboxTables,
    Position,
    SubscriberStatus,
    after,
    purge_delivered,
    relay_status,
)
from shared.events.sending import DeliveryFailed, EventSender, HttpSender, Subscriber
from shared.logging import bind_request_id, get_logger
from shared.worker import CommitWokenWorker

_log = get_logger("ponte.events")
_LOCK_CLASS = 0x6F627478  # first key of the relay's advisory locks ("obtx"); the second: subscriber
_REBASE_LOCK = _LOCK_CLASS + 1
_CHASE_FIRST_SECONDS = 0.01
# After a commit wakes a subscriber's loop, it waits this long before reading the outbox, so that
# the events of the commits that follow within it go in the same batch. Under the mixed load the
# commits come one by one, and a batch of one cost the relay as much CPU as the request that
# emitted it (a transaction, a lock, two reads, an HTTP call and a cursor update per event and
# subscriber: half of matching's CPU for a referral, ``make bench SUITES=load``, py-spy).
LINGER_SECONDS = 0.05
EVENT_RETENTION = timedelta(days=1)  # delivered events, and applied ids in the inboxes


class OutboxRelay(CommitWokenWorker):
    """Delivers the outbox to ``subscribers`` until stopped. Start it in the service's lifespan
    (``start()`` / ``await stop()``, or ``async with relay:``); every replica may run one.

    Wakes every ``poll_seconds``, and at once after a commit in this process that emitted to
    ``tables`` (or when :meth:`notify` is called). With ``retention`` set, it also purges events
    every subscriber has received once they are older than that, and the ids ``inbox`` (the
    service's inbox, if it consumes events) applied longer ago than that.
    """

    commit_key = EMITTED_KEY
    housekeeping_name = "outbox-purge"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tables: OutboxTables,
        subscribers: Sequence[Subscriber],
        sender: EventSender,
        *,
        batch_size: int = 200,
        poll_seconds: float = 0.5,
        linger_seconds: float = LINGER_SECONDS,
        backoff_base_seconds: float = 0.5,
        backoff_cap_seconds: float = 30.0,
        retention: timedelta | None = EVENT_RETENTION,
        purge_interval_seconds: float = 600.0,
        inbox: Table | None = None,
    ) -> None:
        names = [subscriber.name for subscriber in subscribers]
        if len(set(names)) != len(names):
            raise ValueError("subscriber names must be unique")
        super().__init__(housekeeping_seconds=None if retention is None else purge_interval_seconds)
        self.tables = tables
        self.subscribers = {subscriber.name: subscriber for subscriber in subscribers}
        self._sessions = sessions
        self._sender = sender
        self._batch_size = batch_size
        self._poll = poll_seconds
        self._linger = linger_seconds
        self._never = asyncio.Event()  # what a linger waits on: only its time or a stop end it
        self._backoff = (backoff_base_seconds, backoff_cap_seconds)
        self._retention = retention
        self._inbox = inbox
        self._wakes = {name: asyncio.Event() for name in names}

    # -- the worker ------------------------------------------------------------------------

    def loops(self) -> list[tuple[str, Coroutine[Any, Any, None]]]:
        return [(f"outbox-relay:{name}", self._run(name)) for name in self.subscribers]

    def wanted(self, mark: Any) -> bool:
        return self.tables in mark

    def woken(self) -> None:
        for wake in self._wakes.values():
            wake.set()

    # -- delivery --------------------------------------------------------------------------

    async def _run(self, name: str) -> None:
        wake = self._wakes[name]
        errors = 0
        chase = 0.0  # after a wake: how soon to look again while nothing could be delivered
        while self.running:
            wake.clear()
            delay = self._poll
            # A fresh request id per step (this task's context only): the consumer logs the one
            # it receives, so a delivery can be followed across both services.
            bind_request_id(None)
            try:
                moved = await self.deliver_once(name)
                if moved == self._batch_size:
                    continue  # a full batch: more may be waiting
                errors = 0
                if moved == 0 and 0 < chase < self._poll:
                    # The commit that woke us may wait behind a transaction still running (the
                    # horizon is the whole server's, other databases' included): look again
                    # soon, backing off, rather than a whole poll later.
                    delay, chase = chase, chase * 2
                else:
                    chase = 0.0
            except Exception as error:  # the database is down or the like: retry, never die
                errors += 1
                delay = min(self._backoff[1], self._poll * 2 ** min(errors, 10))
                _log.error("outbox_relay_error", subscriber=name, error=type(error).__name__)
            if await self.pause(delay, wake):
                chase = _CHASE_FIRST_SECONDS
                await self.pause(self._linger, self._never)

    async def deliver_once(self, name: str) -> int:
        """One step for one subscriber; returns how many outbox rows its cursor moved past (0
        when there was nothing to do, another replica holds it, it is backing off, or it failed).
        """
        subscriber = self.subscribers[name]
        tables = self.tables
        async with self._sessions() as session, session.begin():
            locked = await session.scalar(
                select(func.pg_try_advisory_xact_lock(_LOCK_CLASS, _lock_key(name)))
            )
            if not locked:
                return 0  # another replica is delivering to this subscriber
            state = await _cursor(session, tables, name)
            position: Position = (state.last_transaction_id, state.last_seq)
            if max(position[0], state.newest_transaction_id or 0) >= state.next_transaction_id:
                await _rebase(session, tables)
                return 0
            now = datetime.now(UTC)
            if state.next_attempt_at is not None and state.next_attempt_at > now:
                return 0
            event = tables.event.c
            rows = (
                await session.execute(
                    select(
                        event.seq,
                        event.transaction_id,
                        event.event_id,
                        event.type,
                        event.source,
                        event.version,
                        event.occurred_at,
                        event.payload,
                    )
                    .where(after(tables, position), event.transaction_id < OLDEST_RUNNING)
                    .order_by(event.transaction_id, event.seq)
                    .limit(self._batch_size)
                )
            ).all()
            if not rows:
                return 0
            wanted = [_envelope(row) for row in rows if subscriber.wants(row.type)]
            try:
                if wanted:
                    await self._sender.send(subscriber, wanted)
            except DeliveryFailed as failure:
                await self._record_failure(session, name, state.failures + 1, str(failure), now)
                return 0
            last: Position = (rows[-1].transaction_id, rows[-1].seq)
            cursor = tables.cursor.c
            moved = await session.execute(
                update(tables.cursor)
                .where(
                    cursor.subscriber == name,
                    cursor.last_transaction_id == position[0],
                    cursor.last_seq == position[1],
                )
                .values(
                    last_transaction_id=last[0],
                    last_seq=last[1],
                    failures=0,
                    last_error=None,
                    next_attempt_at=None,
                    updated_at=now,
                )
            )
            if cast(CursorResult[Any], moved).rowcount != 1:
                # Rebased meanwhile: the batch will be sent again, which consumers absorb.
                _log.warning("outbox_cursor_moved", subscriber=name)
                return 0
            _log.info("events_delivered", subscriber=name, events=len(wanted), passed=len(rows))
            return len(rows)

    async def _record_failure(
        self, session: AsyncSession, name: str, failures: int, reason: str, now: datetime
    ) -> None:
        base, cap = self._backoff
        # Jitter spreads the retries of replicas and subscribers; it is not a secret.
        delay = min(cap, base * 2 ** min(failures - 1, 20)) * random.uniform(0.5, 1.0)  # noqa: S311
        await session.execute(
            update(self.tables.cursor)
            .where(self.tables.cursor.c.subscriber == name)
            .values(
                failures=failures,
                last_error=reason[:200],
                next_attempt_at=now + timedelta(seconds=delay),
                updated_at=now,
            )
        )
        _log.warning(
            "event_delivery_failed",
            subscriber=name,
            error=reason,
            failures=failures,
            retry_in_seconds=round(delay, 2),
        )

    # -- housekeeping ----------------------------------------------------------------------

    async def status(self) -> list[SubscriberStatus]:
        async with self._sessions() as session:
            return await relay_status(session, self.tables, list(self.subscribers))

    async def purge(self, older_than: timedelta) -> int:
        async with self._sessions() as session, session.begin():
            return await purge_delivered(
                session, self.tables, older_than, subscribers=list(self.subscribers)
            )

    async def housekeep(self) -> None:
        assert self._retention is not None
        try:
            purged = await self.purge(self._retention)
            if purged:
                _log.info("outbox_purged", events=purged)
        except Exception as error:  # retried at the next interval
            _log.error("outbox_purge_error", error=type(error).__name__)
        if self._inbox is None:
            return
        try:
            forgotten = await self.purge_inbox(self._retention)
            if forgotten:
                _log.info("inbox_purged", events=forgotten)
        except Exception as error:  # retried at the next interval
            _log.error("inbox_purge_error", error=type(error).__name__)

    async def purge_inbox(self, older_than: timedelta) -> int:
        assert self._inbox is not None
        async with self._sessions() as session, session.begin():
            return await purge_inbox(session, self._inbox, older_than)


def _lock_key(name: str) -> int:
    """A stable signed 32-bit key per subscriber name, the same in every replica."""
    return zlib.crc32(name.encode()) - 2**31


def _envelope(row: Any) -> EventEnvelope:  # a Row of the batch query
    return EventEnvelope(
        id=row.event_id,
        type=row.type,
        source=row.source,
        occurred_at=row.occurred_at,
        version=row.version,
        payload=row.payload,
    )


async def _cursor(session: AsyncSession, tables: OutboxTables, name: str) -> Row[Any]:
    """The subscriber's cursor (created at the start), with what tells whether transaction ids
    went backwards: a cursor or an event ahead of the next id to be assigned. That happens only
    after a restore into another cluster (pg_dump/pg_restore); pg_upgrade, failover to a physical
    replica and file-level backups keep the counter."""
    cursor = tables.cursor
    query = select(
        cursor,
        NEXT_TRANSACTION_ID.label("next_transaction_id"),
        select(func.max(tables.event.c.transaction_id))
        .scalar_subquery()
        .label("newest_transaction_id"),
    ).where(cursor.c.subscriber == name)
    state = (await session.execute(query)).first()
    if state is None:
        await session.execute(insert(cursor).values(subscriber=name).on_conflict_do_nothing())
        state = (await session.execute(query)).one()
    return state


async def _rebase(session: AsyncSession, tables: OutboxTables) -> None:
    """Renumber after a restore, without losing an event: every visible event gets transaction
    id 0 (its order becomes ``seq``, which the restore kept), and every cursor restarts just
    before the first event it had not received, so some events may be sent twice (consumers
    absorb that). Concurrent relays' cursor updates fail their compare-and-set and resend."""
    event, cursor = tables.event, tables.cursor
    await session.execute(select(func.pg_advisory_xact_lock(_REBASE_LOCK, 0)))  # one at a time
    cursors = (
        await session.execute(
            select(
                cursor.c.subscriber, cursor.c.last_transaction_id, cursor.c.last_seq
            ).with_for_update()
        )
    ).all()
    newest = await session.scalar(select(func.max(event.c.seq))) or 0
    for name, last_transaction_id, last_seq in cursors:
        first_pending = await session.scalar(
            select(func.min(event.c.seq)).where(after(tables, (last_transaction_id, last_seq)))
        )
        restart = first_pending - 1 if first_pending is not None else newest
        await session.execute(
            update(cursor)
            .where(cursor.c.subscriber == name)
            .values(last_transaction_id=0, last_seq=restart)
        )
    await session.execute(update(event).where(event.c.transaction_id != 0).values(transaction_id=0))
    _log.error("outbox_rebased", reason="transaction ids went backwards", cursors=len(cursors))


LifespanHook = Callable[[FastAPI], Awaitable[None]]


def relay_hooks(
    tables: OutboxTables,
    subscribers: Sequence[Subscriber],
    internal_token: str,
    *,
    enabled: bool = True,
) -> tuple[LifespanHook, LifespanHook]:
    """The start-up and shut-down hooks that run a service's relay (``app.state.relay``). The
    relay also purges the service's inbox: the ``inbox_event`` table beside ``tables``, if any."""

    async def start(app: FastAPI) -> None:
        if not enabled:
            return
        relay = OutboxRelay(
            app.state.sessions,
            tables,
            list(subscribers),
            HttpSender(app.state.http, internal_token),
            inbox=tables.event.metadata.tables.get(INBOX_TABLE),
        )
        relay.start()
        app.state.relay = relay

    async def stop(app: FastAPI) -> None:
        relay: OutboxRelay | None = getattr(app.state, "relay", None)
        if relay is not None:
            await relay.stop()

    return start, stop
