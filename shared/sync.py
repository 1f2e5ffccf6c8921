"""Commit-ordered incremental sync: one convention for every list a partner's system or an app
mirrors.

A mirrored list takes ``since``: the ``watermark`` a previous sync ended with, or ``0`` for a first
load. It answers ``{items, removed, next_cursor, watermark}``; the client pages with ``cursor``
(and the same ``since``) while ``next_cursor`` is set, applies ``items`` (upsert by id) and
``removed`` (drop), and keeps ``watermark`` as the next sync's ``since``.

Why not a time: ``updated_at`` is set by the application before its transaction commits, so a row
committed after a sync began, with an ``updated_at`` before that sync's time, is never returned to
a client that asks for "what changed since my last sync". Here every mirrored row carries
``sync_xact``, the id of the last transaction that wrote it (a trigger stamps it on insert and
update, whatever statement writes). A run reads the rows with ``since <= sync_xact < until``, where
``until`` is the oldest transaction still running when the run began (``pg_snapshot_xmin``): every
transaction below it has ended, so no row can later appear in that range, and the next run starts
at ``until``. A row written by a transaction still running comes in the next run. The outbox
relay orders events the same way (``shared.events.outbox``).

A grant that expires is not a write: the watermark also carries the moment its run began, and a
run reports as removed what the caller stopped seeing through an expiry between the previous
moment and its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import FieldError, Problem, UnprocessableContent
from shared.events.outbox import OLDEST_RUNNING
from shared.pagination import decode_cursor, encode_cursor

T = TypeVar("T")

SinceParam = Annotated[
    str | None,
    Query(
        max_length=128,
        description="Sync: the `watermark` your previous sync ended with, or `0` for a first load. "
        "Answers what changed in commit order (`items`) and what you may no longer see "
        "(`removed`); page with `cursor` and the same `since` while `next_cursor` is set, then "
        "keep `watermark` for the next sync. Other filters do not apply to a sync.",
        examples=["0"],
    ),
]


@dataclass(frozen=True)
class Mark:
    """A point in the database's commit order, and the moment it was taken."""

    xact: int
    moment: datetime


ORIGIN = Mark(0, datetime(1970, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class Run:
    """One sync: the range ``[since, until)`` of transactions, and how far its pages have come."""

    since: Mark
    until: Mark
    after: tuple[int, uuid.UUID] | None = None
    scope: str = ""  # the list: a watermark or a cursor of another list is refused

    def changed(self, column: Any) -> ColumnElement[bool]:
        """``column`` (a ``sync_xact``) was written in this run's range."""
        return and_(column >= self.since.xact, column < self.until.xact)

    def expired(self, column: Any) -> ColumnElement[bool]:
        """``column`` (an expiry) passed between the previous sync and this one."""
        return and_(column > self.since.moment, column <= self.until.moment)

    def beyond(self, key: Any, id_: Any) -> ColumnElement[bool] | None:
        """Past the last ``(key, id)`` a page returned (None on the first page)."""
        return tuple_(key, id_) > self.after if self.after is not None else None

    @property
    def watermark(self) -> str:
        return encode_cursor([self.until.xact, self.until.moment, self.scope])


class RestartSync(Problem):
    """A watermark ahead of the database: it was restored from a backup, or the watermark is not
    one of its own. Only a full sync is safe."""

    status, slug, title = 410, "sync-restart", "Sync again from the start"
    description = (
        "The watermark can no longer be synced from (older than the log keeps, or not one of this "
        "database's): sync again from since=0."
    )

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            detail
            or "This watermark is ahead of the database (restored from a backup?): sync again "
            "with since=0 and replace your copy."
        )


def _bad(field: str) -> UnprocessableContent:
    return UnprocessableContent(
        f"The {field} is not valid; start the sync again with since=0 or your last watermark.",
        errors=[FieldError(field=f"query.{field}", message=f"malformed {field}", code=field)],
    )


def _mark(since: str, scope: str) -> Mark:
    """The watermark ``since`` of the list ``scope``: another list's is refused, since its
    commit order may be another database's (a pathways watermark sent to the referrals would
    skip or repeat whatever lies between the two)."""
    if since == "0":
        return ORIGIN
    try:
        xact, moment, of = decode_cursor(since, (int, datetime, str))
    except UnprocessableContent:
        raise _bad("since") from None
    if xact < 0 or of != scope:
        raise _bad("since")
    return Mark(xact, moment)


async def begin(
    session: AsyncSession,
    since: str,
    cursor: str | None,
    now: datetime,
    horizon: datetime | None = None,
    *,
    scope: str,
) -> Run:
    """The run a request continues (its ``cursor``) or begins (at the database's oldest running
    transaction and ``now``). ``horizon``: the oldest moment the list still knows its deletions
    from; a watermark taken before it is a 410 (the copy may hold what was deleted since)."""
    start = _mark(since, scope)
    if start.moment > now + timedelta(days=366):
        raise _bad("since")  # no watermark was taken a year ahead (nor near the end of time)
    if horizon is not None and start != ORIGIN and start.moment < horizon:
        raise RestartSync(
            "This watermark is older than the deletions this list keeps: sync again with "
            "since=0 and replace your copy."
        )
    if cursor:
        try:
            values = decode_cursor(cursor, (int, datetime, int, datetime, int, uuid.UUID, str))
        except UnprocessableContent:
            raise _bad("cursor") from None
        if Mark(values[0], values[1]) != start or values[6] != scope:
            raise _bad("cursor")  # a page of another sync, or of another list
        until = Mark(values[2], values[3])
        if until.xact < start.xact:
            raise _bad("cursor")
        return Run(start, until, (values[4], values[5]), scope)
    oldest = int(await session.scalar(select(OLDEST_RUNNING)) or 0)
    if start.xact > oldest:
        raise RestartSync()
    return Run(start, Mark(oldest, max(now, start.moment)), scope=scope)


class RemovedReason(StrEnum):
    WITHDRAWN = "withdrawn"  # your access ended: consent withdrawn, expired, case transferred
    ERASED = "erased"
    MERGED = "merged"
    DELETED = "deleted"


def reason_for(erased: bool, merged_into: uuid.UUID | None) -> RemovedReason:
    """Why a person left the caller's view, from the access mirror's row."""
    if erased:
        return RemovedReason.ERASED
    return RemovedReason.MERGED if merged_into is not None else RemovedReason.WITHDRAWN


class Removed(BaseModel):
    """Something to drop from your copy: a record, or everything you hold about a person."""

    type: str = Field(
        description="`beneficiary`: drop every record of this list about the person `id`; "
        "otherwise the type of the record `id` to drop",
        examples=["beneficiary"],
    )
    id: uuid.UUID
    reason: RemovedReason
    merged_into: uuid.UUID | None = Field(
        default=None, description="for `merged`: the record the person now is (if you may see it)"
    )


def removed_field(what: str) -> Any:
    """A list page's ``removed``: in a sync (``since``), ``what`` you must drop."""
    return Field(default_factory=list, description=f"in a sync (`since`): {what}")


def watermark_field() -> Any:
    """A list page's ``watermark``."""
    return Field(
        default=None,
        description="in a sync: keep it (once `next_cursor` is null) as the next sync's `since`",
    )


class SyncPage(BaseModel, Generic[T]):
    """A list page; in a sync (``since``) also what to drop and the watermark to keep."""

    items: list[T]
    removed: list[Removed] = Field(default_factory=list)
    next_cursor: str | None = None
    watermark: str | None = Field(
        default=None,
        description="in a sync: keep it (once `next_cursor` is null) as the next sync's `since`",
    )


@dataclass(frozen=True)
class Change:
    """One row of a sync page: the position it comes at, and what it is."""

    key: int
    id: uuid.UUID
    removed: Removed | None = None


def person_change(
    key: int, id_: uuid.UUID, reason: RemovedReason | None, merged_into: uuid.UUID | None
) -> Change:
    """A row of a sync page: a record to send, or (``reason``) a person to drop."""
    removed = (
        Removed(type="beneficiary", id=id_, reason=reason, merged_into=merged_into)
        if reason is not None
        else None
    )
    return Change(key=key, id=id_, removed=removed)


def in_commit_order(run: Run, branches: Sequence[Select[Any]], limit: int) -> Select[Any]:
    """The branches (each selecting ``key, id, ...`` alike), each an index range past the run's
    position limited to ``limit + 1``, merged in ``(key, id)`` order."""
    limited: list[Select[Any]] = []
    for branch in branches:
        key, id_ = branch.selected_columns[0], branch.selected_columns[1]
        after = run.beyond(key, id_)
        if after is not None:
            branch = branch.where(after)
        limited.append(branch.order_by(key, id_).limit(limit + 1))
    every = union_all(*limited).subquery()
    return select(every).order_by(every.c.key, every.c.id).limit(limit + 1)


def paged(run: Run, changes: Sequence[Change], limit: int) -> tuple[list[Change], str | None]:
    """The page's changes (``changes`` ordered by ``(key, id)``, ``limit + 1`` at most) and the
    cursor of the next page."""
    shown = list(changes[:limit])
    if len(changes) <= limit or not shown:
        return shown, None
    last = shown[-1]
    return shown, encode_cursor(
        [
            run.since.xact,
            run.since.moment,
            run.until.xact,
            run.until.moment,
            last.key,
            last.id,
            run.scope,
        ]
    )


def refuse_filters_in_sync(**filters: object) -> None:
    """A sync mirrors everything the caller may see: a filter beside ``since`` is a 422 (a copy
    synced through a filter would silently miss what leaves it)."""
    given = [name for name, value in filters.items() if value is not None]
    if given:
        raise UnprocessableContent(
            "A sync (since) mirrors everything you may see; drop the filters, or list without "
            "since.",
            errors=[
                FieldError(field=f"query.{name}", message="not with since", code="sync_filter")
                for name in given
            ],
        )
