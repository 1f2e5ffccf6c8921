"""``Idempotency-Key`` on creates: the same key and body replay the first answer without a second
effect; the same key with another body is a 422; keys live 24 hours per caller.

Concurrency: the first request inserts a pending row in its own transaction; a retry arriving
meanwhile blocks on that row until the first commits (then replays its answer) or rolls back (then
proceeds as the first). So two racing retries still create one thing.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Uuid,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from shared.errors import FieldError, UnprocessableContent

KEY_HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
_PENDING = 0


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_record",
        metadata,
        Column("caller", String(100), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("request_hash", LargeBinary(32), nullable=False),
        Column("status_code", SmallInteger, nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("location", String(300)),
        Column("resource_id", Uuid, comment="what the request created; erasure deletes its rows"),
        Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
        Index("ix_idempotency_record_created_at", "created_at"),
        Index("ix_idempotency_record_resource_id", "resource_id"),
    )


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: bytes
    location: str | None


def key_of(request: Request) -> str | None:
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise UnprocessableContent(
            "Idempotency-Key must be 1-200 printable characters.",
            errors=[FieldError(field="header.idempotency-key", message="malformed", code="key")],
        )
    return key


def fingerprint(body: bytes) -> bytes:
    return hashlib.sha256(body).digest()


async def begin(
    session: AsyncSession, table: Table, *, caller: str, key: str, request_hash: bytes
) -> StoredAnswer | None:
    """The stored answer to replay, or None when this request goes ahead (and owns the key)."""
    now = datetime.now(UTC)
    await session.execute(
        delete(table).where(
            table.c.caller == caller, table.c.key == key, table.c.created_at < now - RETENTION
        )
    )
    inserted = await session.execute(
        insert(table)
        .values(
            caller=caller,
            key=key,
            request_hash=request_hash,
            status_code=_PENDING,
            body=b"",
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(table.c.key)
    )
    if inserted.first() is not None:
        return None
    row = (
        await session.execute(
            select(table.c.request_hash, table.c.status_code, table.c.body, table.c.location).where(
                table.c.caller == caller, table.c.key == key
            )
        )
    ).one()
    if row.request_hash != request_hash:
        raise UnprocessableContent(
            "This Idempotency-Key was used with another request body.",
            errors=[FieldError(field="header.idempotency-key", message="reused", code="reused")],
        )
    return StoredAnswer(row.status_code, row.body, row.location)


async def finish(
    session: AsyncSession,
    table: Table,
    *,
    caller: str,
    key: str,
    status_code: int,
    body: bytes,
    location: str | None = None,
    resource_id: uuid.UUID | None = None,
) -> None:
    await session.execute(
        update(table)
        .where(table.c.caller == caller, table.c.key == key)
        .values(status_code=status_code, body=body, location=location, resource_id=resource_id)
    )
