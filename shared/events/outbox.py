"""The producer's half: the outbox tables, ``emit`` in the caller's transaction, and the
housekeeping that keeps personal data from lingering (purge, scrub) or reports the backlog.

Delivery order is ``(transaction_id, seq)``: the emitting transaction's id, then the row's
identity. Ordering by ``seq`` alone loses events: sequence values are handed out at insert time,
not at commit, so a transaction holding seq 10 can commit after one holding seq 11 was delivered
and the cursor moved past 10. The relay only reads rows of transactions older than every one
still running (``pg_snapshot_xmin``); those can no longer add rows, so nothing can appear behind
the cursor. Within a transaction, events keep the order they were emitted in; across
transactions, a transaction that started after another committed always comes later.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import (
    BigInteger,
    Column,
    CursorResult,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

# session.info key: the outboxes the session's transaction wrote to (the relay's commit hook).
EMITTED_KEY = "ponte.outbox_emitted"
PENDING_COUNT_CAP = 10_000

Position = tuple[int, int]  # (transaction_id, seq): how far a subscriber has been delivered


def _xid(function: ColumnElement[Any]) -> ColumnElement[int]:
    # xid8 has no cast to bigint; its text form is the decimal number (epoch included).
    return sql_cast(sql_cast(function, Text), BigInteger)


CURRENT_TRANSACTION_ID = "(pg_current_xact_id()::text::bigint)"
# Transactions below this are all finished: committed (visible) or rolled back (never will be).
OLDEST_RUNNING = _xid(func.pg_snapshot_xmin(func.pg_current_snapshot()))
# The next transaction id to be assigned: every committed row is below it, unless the database
# was restored into another cluster, whose counter starts lower (see the relay's rebase).
NEXT_TRANSACTION_ID = _xid(func.pg_snapshot_xmax(func.pg_current_snapshot()))


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the relays' commit hook
class OutboxTables:
    event: Table
    cursor: Table


def outbox_tables(metadata: MetaData) -> OutboxTables:
    """Declare ``outbox_event`` and ``outbox_cursor`` on the service's metadata (its migrations
    create them like any other table)."""
    event = Table(
        "outbox_event",
        metadata,
        Column("seq", BigInteger, Identity(), primary_key=True),
        Column(
            "transaction_id",
            BigInteger,
            nullable=False,
            server_default=text(CURRENT_TRANSACTION_ID),
            comment="the emitting transaction; delivery order is (transaction_id, seq)",
        ),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("type", String(100), nullable=False, index=True),
        Column("source", String(50), nullable=False),
        Column("version", SmallInteger, nullable=False, server_default=text("1")),
        Column("payload", JSONB, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Index("ix_outbox_event_position", "transaction_id", "seq"),
    )
    cursor = Table(
        "outbox_cursor",
        metadata,
        Column("subscriber", String(100), primary_key=True),
        Column("last_transaction_id", BigInteger, nullable=False, server_default=text("0")),
        Column("last_seq", BigInteger, nullable=False, server_default=text("0")),
        Column("failures", Integer, nullable=False, server_default=text("0")),
        Column("last_error", String(200), comment="error class or HTTP status; never data"),
        Column("next_attempt_at", DateTime(timezone=True)),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    return OutboxTables(event=event, cursor=cursor)


def after(tables: OutboxTables, position: Position) -> ColumnElement[bool]:
    """The events a subscriber at ``position`` has not been delivered yet."""
    event = tables.event.c
    return tuple_(event.transaction_id, event.seq) > tuple_(*position)


async def emit(
    session: AsyncSession,
    tables: OutboxTables,
    event_type: str,
    payload: BaseModel | Mapping[str, Any],
    *,
    source: str,
    version: int = 1,
) -> uuid.UUID:
    """Write an event in the session's transaction and return its id.

    The row commits or rolls back with the change it announces: no event for a change that did
    not happen, no change without its event. Executes the insert; never commits.
    """
    event_id = uuid.uuid4()
    body = (
        payload.model_dump(mode="json")
        if isinstance(payload, BaseModel)
        else to_jsonable_python(dict(payload))
    )
    await session.execute(
        insert(tables.event).values(
            event_id=event_id,
            type=event_type,
            source=source,
            version=version,
            payload=body,
            occurred_at=datetime.now(UTC),
        )
    )
    emitted: set[OutboxTables] = session.info.setdefault(EMITTED_KEY, set())
    emitted.add(tables)
    return event_id


async def purge_delivered(
    session: AsyncSession,
    tables: OutboxTables,
    older_than: timedelta,
    *,
    subscribers: Collection[str],
) -> int:
    """Delete the events every one of ``subscribers`` has received and that are older than
    ``older_than``; return how many. Payloads may hold personal data: they must not linger.

    The subscribers are named rather than read from ``outbox_cursor``: one configured but not yet
    started has no cursor row, and must not lose the events it has still to receive.
    """
    names = set(subscribers)
    event, cursor = tables.event, tables.cursor
    conditions = [event.c.occurred_at < datetime.now(UTC) - older_than]
    if names:
        positions = (
            await session.execute(
                select(cursor.c.last_transaction_id, cursor.c.last_seq).where(
                    cursor.c.subscriber.in_(names)
                )
            )
        ).all()
        if len(positions) < len(names):
            return 0
        slowest = min((row[0], row[1]) for row in positions)
        conditions.append(~after(tables, slowest))
    result = await session.execute(delete(event).where(*conditions))
    return cast(CursorResult[Any], result).rowcount


async def scrub(
    session: AsyncSession,
    tables: OutboxTables,
    *,
    payload_contains: Mapping[str, Any],
    keep_types: Collection[str] = (),
) -> int:
    """Delete every event whose payload contains ``payload_contains`` (JSONB ``@>``, e.g.
    ``{"beneficiary_id": id}``), delivered or not, except those of ``keep_types``; return how many.

    For erasure, in the erasing transaction: the erasure event (ids only) is kept and supersedes
    the dropped ones, so consumers must accept an erasure of someone they never heard of.
    Undelivered events are dropped too, or a consumer that is down would keep the person's data
    here for as long as it stays down.
    """
    payload = tables.event.c.payload
    statement = delete(tables.event).where(
        payload.contains(to_jsonable_python(dict(payload_contains)))
    )
    if keep_types:
        statement = statement.where(tables.event.c.type.not_in(list(keep_types)))
    result = await session.execute(statement)
    return cast(CursorResult[Any], result).rowcount


@dataclass(frozen=True)
class SubscriberStatus:
    subscriber: str
    pending: int  # outbox rows after the cursor, counted up to PENDING_COUNT_CAP
    oldest_pending_at: datetime | None  # when the next event to deliver occurred: the lag
    failures: int  # failed attempts in a row
    last_error: str | None
    next_attempt_at: datetime | None
    updated_at: datetime | None


async def relay_status(
    session: AsyncSession, tables: OutboxTables, subscribers: Collection[str]
) -> list[SubscriberStatus]:
    """Per subscriber: the backlog and the failures, for health and metrics views."""
    event, cursor = tables.event, tables.cursor
    rows = {
        row.subscriber: row
        for row in await session.execute(
            select(cursor).where(cursor.c.subscriber.in_(list(subscribers)))
        )
    }
    statuses = []
    for name in subscribers:
        row = rows.get(name)
        pending_after = after(tables, (row.last_transaction_id, row.last_seq) if row else (0, 0))
        pending = await session.scalar(
            select(func.count()).select_from(
                select(event.c.seq).where(pending_after).limit(PENDING_COUNT_CAP).subquery()
            )
        )
        oldest = await session.scalar(
            select(event.c.occurred_at)
            .where(pending_after)
            .order_by(event.c.transaction_id, event.c.seq)
            .limit(1)
        )
        statuses.append(
            SubscriberStatus(
                subscriber=name,
                pending=pending or 0,
                oldest_pending_at=oldest,
                failures=row.failures if row else 0,
                last_error=row.last_error if row else None,
                next_attempt_at=row.next_attempt_at if row else None,
                updated_at=row.updated_at if row else None,
            )
        )
    return statuses
