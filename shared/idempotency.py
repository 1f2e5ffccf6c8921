"""``Idempotency-Key`` on every POST: the same key and request replay the first answer without a
second effect; the same key with another request is a 422; keys live 24 hours per caller.

Each service keeps its own ``idempotency_record`` table, written in the same transaction as the
effect (``shared.idempotency_routes`` wires it into the routes): the answer is stored exactly when
the effect commits, so a retry after a lost answer, a 5xx or the gateway's 504 never doubles it.

Concurrency: the first request inserts a pending row in its transaction; a retry arriving meanwhile
waits on that row (up to ``WAIT``) until the first commits (then replays its answer) or rolls back
(then proceeds as the first). Past ``WAIT`` it answers 409 with ``Retry-After``. So racing
retries still make one effect.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    Index,
    Interval,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Uuid,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause
from starlette.requests import Request

from shared.auth.principal import Principal
from shared.errors import Conflict, FieldError, UnprocessableContent

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
# How long a retry waits for a first attempt still running before answering 409 (the gateway gives
# up on a service after 15 s by default, so a waiting retry answers before that).
WAIT = timedelta(seconds=5)
MAX_KEY_LENGTH = 200
# Headers of the first answer that its replays carry too (Location has its own column).
REPLAYED_HEADERS = ("content-type", "etag", "cache-control", "content-language")
_PENDING = 0
_LOCK_NOT_AVAILABLE = "55P03"


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_record",
        metadata,
        Column("caller", String(100), primary_key=True),
        Column("key", String(MAX_KEY_LENGTH), primary_key=True),
        Column("request_hash", LargeBinary(32), nullable=False),
        Column("status_code", SmallInteger, nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("location", String(300)),
        Column("headers", JSONB, comment="other headers replayed: content type, ETag, ..."),
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
    headers: Mapping[str, str] | None = None


class KeyInProgress(Conflict):
    slug, title = "idempotency-key-in-progress", "A request with this Idempotency-Key is running"
    description = (
        "The first request with this Idempotency-Key has not finished: retry after Retry-After "
        "seconds to get its answer."
    )

    def __init__(self) -> None:
        super().__init__(
            "The first request with this Idempotency-Key has not finished yet; retry it after "
            "Retry-After seconds to get its answer.",
            headers={"Retry-After": "1"},
        )


def key_of(request: Request) -> str | None:
    return valid_key(request.headers.get(KEY_HEADER))


def valid_key(key: str | None) -> str | None:
    """The key without surrounding blanks; 422 unless 1-200 printable characters."""
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise UnprocessableContent(
            "Idempotency-Key must be 1-200 printable characters.",
            errors=[FieldError(field="header.idempotency-key", message="malformed", code="key")],
        )
    return key


def caller_of(principal: Principal) -> str:
    """Who owns a key: the token's subject (user id or client id) within its organisation, never
    the token itself, which a refresh replaces."""
    organization = principal.organization_id.hex if principal.organization_id else "-"
    caller = f"{organization}:{principal.subject}"
    if len(caller) <= 100:
        return caller
    return "sha256:" + hashlib.sha256(caller.encode()).hexdigest()


def fingerprint(body: bytes, *, method: str = "", target: str = "") -> bytes:
    """What "the same request" means: method, path and query, and the body. A JSON body counts
    by its content (key order and spacing may differ between a first attempt and a retry)."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:  # not JSON (or not UTF-8): the bytes themselves
        canonical = body
    digest = hashlib.sha256(f"{method} {target}\n".encode())
    digest.update(canonical)
    return digest.digest()


@cache
def _claim_statement(table: Table) -> TextClause:
    # One round trip in the usual case. The source row first sets a transaction-local lock_timeout
    # (saving the current one), so that waiting on a concurrent first attempt is bounded; RETURNING,
    # evaluated only when this request owns the key, restores it for the endpoint's own statements.
    # An expired record (not yet purged) is taken over as if absent.
    name = table.name
    return text(
        f"""
        INSERT INTO {name} AS r (caller, key, request_hash, status_code, body, created_at)
        SELECT :caller, :key, :request_hash, {_PENDING}, ''::bytea, now()
        FROM (SELECT set_config('lock_timeout', :wait || left(set_config(
            'ponte.saved_lock_timeout', current_setting('lock_timeout'), true), 0), true)) AS wait
        ON CONFLICT (caller, key) DO UPDATE
            SET request_hash = excluded.request_hash, status_code = {_PENDING}, body = ''::bytea,
                location = NULL, headers = NULL, resource_id = NULL,
                created_at = excluded.created_at
            WHERE r.created_at < excluded.created_at - :retention
        RETURNING set_config('lock_timeout', current_setting('ponte.saved_lock_timeout'), true)
        """  # noqa: S608 - the table name is ours, every value is a bound parameter
    ).bindparams(bindparam("retention", type_=Interval()))


async def begin(
    session: AsyncSession,
    table: Table,
    *,
    caller: str,
    key: str,
    request_hash: bytes,
    wait: timedelta | None = None,
) -> StoredAnswer | None:
    """The stored answer to replay, or None when this request goes ahead (and owns the key).
    422 when the key came with another request; 409 when its first attempt is still running."""
    try:
        claimed = await session.execute(
            _claim_statement(table),
            {
                "caller": caller,
                "key": key,
                "request_hash": request_hash,
                "wait": f"{int((wait or WAIT).total_seconds() * 1000)}ms",
                "retention": RETENTION,
            },
        )
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise KeyInProgress() from error
        raise
    if claimed.first() is not None:
        return None
    row = (
        await session.execute(
            select(
                table.c.request_hash,
                table.c.status_code,
                table.c.body,
                table.c.location,
                table.c.headers,
            ).where(table.c.caller == caller, table.c.key == key)
        )
    ).one()
    if row.request_hash != request_hash:
        raise UnprocessableContent(
            "This Idempotency-Key was used with another request.",
            errors=[FieldError(field="header.idempotency-key", message="reused", code="reused")],
        )
    if row.status_code == _PENDING:  # only if an endpoint committed on its own mid-way
        raise KeyInProgress()
    return StoredAnswer(row.status_code, row.body, row.location, row.headers)


async def finish(
    session: AsyncSession,
    table: Table,
    *,
    caller: str,
    key: str,
    status_code: int,
    body: bytes,
    location: str | None = None,
    headers: Mapping[str, str] | None = None,
    resource_id: uuid.UUID | None = None,
) -> None:
    await session.execute(
        update(table)
        .where(table.c.caller == caller, table.c.key == key)
        .values(
            status_code=status_code,
            body=body,
            location=location,
            headers=dict(headers) if headers else None,
            resource_id=resource_id,
        )
    )


async def forget(session: AsyncSession, table: Table, ids: Iterable[uuid.UUID]) -> None:
    """Erasure: drop the stored answers about these ids (made by them, or naming them, as a
    batch's answer does). A scan of at most a day of records, on a rare operation."""
    conditions: list[ColumnElement[bool]] = []
    for id_ in ids:
        mention = b"%" + str(id_).encode() + b"%"
        conditions += [
            table.c.resource_id == id_,
            table.c.body.op("LIKE", is_comparison=True)(literal(mention, LargeBinary)),
        ]
    if conditions:
        await session.execute(delete(table).where(or_(*conditions)))


async def purge(session: AsyncSession, table: Table, *, batch: int = 1000) -> int:
    """Delete up to ``batch`` records older than the retention; the number deleted. Rows another
    transaction holds are skipped (a replica purging at the same time, a retry taking one over)."""
    expired = (
        select(table.c.caller, table.c.key)
        .where(table.c.created_at < func.now() - RETENTION)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    deleted = await session.execute(
        delete(table).where(tuple_(table.c.caller, table.c.key).in_(expired)).returning(table.c.key)
    )
    return len(deleted.all())
