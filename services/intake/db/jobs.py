"""Asynchronous batches (on the intake metadata, imported by ``models``) and their statements: a
job, submitted by one principal of one organisation, and its items, each with its payload until
it is processed and its result after. Repositories flush; the caller's session commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.intake.db.models import Base
from shared.pagination import keyset

WAITING = ("queued", "running")


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        Index(
            "ix_job_waiting",
            "next_attempt_at",
            "created_at",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        Index("ix_job_finished", "finished_at", postgresql_where=text("finished_at IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID]
    submitted_by: Mapped[str] = mapped_column(String(100), comment="the token's subject")
    principal: Mapped[dict[str, Any]] = mapped_column(
        JSONB, comment="the submitter's kind, roles and scopes, which the items are processed as"
    )
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, int]] = mapped_column(JSONB, comment="results by status")
    attempts: Mapped[int] = mapped_column(
        SmallInteger, default=0, comment="failed attempts at the next chunk"
    )
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JobItem(Base):
    __tablename__ = "job_item"

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("job.id", ondelete="CASCADE"), primary_key=True
    )
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    # none_as_null: a removed payload is SQL NULL, not JSON null.
    payload: Mapped[dict[str, Any] | None] = mapped_column(
        JSONB(none_as_null=True), comment="the item as sent; removed once processed"
    )
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))


async def add(session: AsyncSession, job: Job, payloads: Sequence[Any]) -> None:
    """The job and its items (one INSERT for the items)."""
    session.add(job)
    await session.flush()
    await session.execute(
        insert(JobItem),
        [
            {"job_id": job.id, "index": index, "payload": payload}
            for index, payload in enumerate(payloads)
        ],
    )


async def submitted(
    session: AsyncSession, job_id: uuid.UUID, organization_id: uuid.UUID | None, subject: str
) -> Job | None:
    """The job, when this organisation's ``subject`` submitted it; None for anyone else."""
    if organization_id is None:
        return None
    job: Job | None = await session.scalar(
        select(Job).where(
            Job.id == job_id,
            Job.organization_id == organization_id,
            Job.submitted_by == subject,
        )
    )
    return job


async def results(
    session: AsyncSession, job_id: uuid.UUID, cursor: str | None, limit: int
) -> Sequence[JobItem]:
    """Processed items, by index, after ``cursor`` (one more than ``limit``: see ``page_of``)."""
    statement = select(JobItem).where(JobItem.job_id == job_id, JobItem.result.is_not(None))
    return (await session.scalars(keyset(statement, [JobItem.index], cursor, limit))).all()


async def claim(session: AsyncSession, now: datetime) -> Job | None:
    """The oldest job waiting and due, locked for this transaction; one another replica holds
    is skipped (``SKIP LOCKED``)."""
    job: Job | None = await session.scalar(
        select(Job)
        .where(Job.status.in_(WAITING), Job.next_attempt_at <= now)
        .order_by(Job.next_attempt_at, Job.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return job


async def locked(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    job: Job | None = await session.scalar(
        select(Job).where(Job.id == job_id).with_for_update(skip_locked=True)
    )
    return job


async def pending_items(session: AsyncSession, job_id: uuid.UUID, limit: int) -> list[JobItem]:
    """The next items not yet processed, by index."""
    rows = await session.scalars(
        select(JobItem)
        .where(JobItem.job_id == job_id, JobItem.result.is_(None))
        .order_by(JobItem.index)
        .limit(limit)
    )
    return list(rows.all())


async def settle(
    session: AsyncSession, job_id: uuid.UUID, results: Sequence[tuple[int, dict[str, Any]]]
) -> None:
    """Each item's result; its payload (personal data) goes."""
    for index, result in results:
        await session.execute(
            update(JobItem)
            .where(JobItem.job_id == job_id, JobItem.index == index)
            .values(result=result, payload=None)
        )


async def settle_rest(session: AsyncSession, job_id: uuid.UUID, result: dict[str, Any]) -> int:
    """Every item not yet processed gets ``result`` (its index set) and loses its payload; how
    many."""
    outcome = await session.execute(
        update(JobItem)
        .where(JobItem.job_id == job_id, JobItem.result.is_(None))
        .values(
            result=bindparam("rest", result, type_=JSONB).op("||")(
                func.jsonb_build_object(literal_column("'index'"), JobItem.index)
            ),
            payload=None,
        )
    )
    return int(getattr(outcome, "rowcount", 0) or 0)


async def purge(session: AsyncSession, finished_before: datetime, limit: int) -> int:
    """Delete up to ``limit`` jobs finished before ``finished_before``, with their items."""
    expired = (
        select(Job.id)
        .where(Job.finished_at < finished_before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    outcome = await session.execute(delete(Job).where(Job.id.in_(expired)))
    return int(getattr(outcome, "rowcount", 0) or 0)
