"""Every statement over tasks. Derived tasks are computed from their sources at read time
(``db.task_sources``: so a list is never behind them), joined with the ``task`` rows that record
what was done to them; manual tasks are ``task`` rows themselves. Ordered by due date, kind and
source: a stable keyset."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Row,
    Select,
    and_,
    cast,
    func,
    literal,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import task_sources
from services.pathways.db.copy_models import TransferRequest
from services.pathways.db.models import (
    Pathway,
    Task,
    TaskDueNotice,
)
from services.pathways.db.task_sources import TaskFilter as TaskFilter  # the filter of a list
from services.pathways.domain.tasks import (
    TaskKey,
    TaskKind,
    TaskStatus,
)
from shared.auth import Principal
from shared.errors import FieldError, UnprocessableContent
from shared.pagination import decode_cursor, encode_cursor


def _statement(principal: Principal, moment: datetime, only: TaskFilter) -> Select[Any]:
    parts = task_sources.derived(principal, moment, only)
    wanted = only.key.kind if only.key is not None else only.kind
    if wanted in (None, TaskKind.MANUAL):
        parts.append(task_sources.manual(principal, moment, only))
    tasks = union_all(*parts).subquery("derived_task")
    state = Task.__table__.alias("state")
    statement = select(
        tasks,
        state.c.id.label("state_id"),
        state.c.assigned_to.label("reassigned_to"),
        state.c.note,
        state.c.snoozed_until,
        state.c.snooze_reason,
        state.c.done_at,
        state.c.done_by,
        state.c.version,
        state.c.created_by,
    ).outerjoin(
        state,
        and_(
            state.c.kind == tasks.c.kind,
            state.c.source_id == tasks.c.source_id,
            state.c.due_on == tasks.c.due_on,
        ),
    )
    today = moment.date()
    assignee = func.coalesce(state.c.assigned_to, tasks.c.default_assignee)
    if only.assigned_to is not None:
        statement = statement.where(assignee == only.assigned_to)
    if only.key is not None:
        statement = statement.where(tasks.c.source_id == only.key.source_id)
        if only.key.due_on is not None:
            statement = statement.where(tasks.c.due_on == only.key.due_on)
        return statement
    if only.due_before is not None:
        statement = statement.where(tasks.c.due_on < only.due_before)
    snoozed = and_(state.c.snoozed_until.is_not(None), state.c.snoozed_until > today)
    if only.status == TaskStatus.DONE:
        statement = statement.where(state.c.done_at.is_not(None))
    elif only.status == TaskStatus.SNOOZED:
        statement = statement.where(state.c.done_at.is_(None), snoozed)
    elif only.status == TaskStatus.OPEN:
        statement = statement.where(state.c.done_at.is_(None), ~func.coalesce(snoozed, False))
        if only.due_before is None:  # what is due now: each task from its first day
            statement = statement.where(tasks.c.starts_on <= today)
        if only.entered_since is not None:
            statement = statement.where(tasks.c.starts_on >= only.entered_since)
    return statement


def _order(statement: Select[Any]) -> tuple[ColumnElement[Any], ...]:
    columns = statement.selected_columns
    return (columns.due_on, columns.kind, columns.source_id)


async def page(
    session: AsyncSession,
    principal: Principal,
    moment: datetime,
    only: TaskFilter,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Row[Any]], str | None]:
    """A keyset page of tasks, the soonest due first, and the next page's cursor."""
    statement = _statement(principal, moment, only)
    key = _order(statement)
    if cursor:
        ordinal, kind, source = decode_cursor(cursor, (int, str, uuid.UUID))
        if kind not in set(TaskKind) or not 1 <= ordinal <= date.max.toordinal():
            malformed = FieldError(field="query.cursor", message="malformed cursor", code="cursor")
            raise UnprocessableContent(
                "The cursor is not valid; start again without it.", errors=[malformed]
            )
        after = (cast(literal(date.fromordinal(ordinal)), Date), literal(kind), literal(source))
        statement = statement.where(tuple_(*key) > tuple_(*after))
    rows = (await session.execute(statement.order_by(*key).limit(limit + 1))).all()
    shown = rows[:limit]
    next_cursor = None
    if len(rows) > limit and shown:
        last = shown[-1]
        next_cursor = encode_cursor((last.due_on.toordinal(), last.kind, last.source_id))
    return shown, next_cursor


async def one(
    session: AsyncSession, principal: Principal, moment: datetime, key: TaskKey
) -> Row[Any] | None:
    only = TaskFilter(status=None, key=key)
    rows = (await session.execute(_statement(principal, moment, only).limit(2))).all()
    return rows[0] if len(rows) == 1 else None


async def state_locked(
    session: AsyncSession,
    organization_id: uuid.UUID,
    row: Row[Any],
    actor: str,
    moment: datetime,
) -> Task:
    """The row that records what was done to the task, locked; created for a derived task the
    first time someone acts on it (two at once: one inserts, both then lock the same row)."""
    await session.execute(
        insert(Task)
        .values(
            id=uuid.uuid4(),
            organization_id=organization_id,
            kind=row.kind,
            source_id=row.source_id,
            due_on=row.due_on,
            pathway_id=row.pathway_id,
            beneficiary_id=row.beneficiary_id,
            version=1,
            created_at=moment,
            created_by=actor,
            updated_at=moment,
        )
        .on_conflict_do_nothing(index_elements=["kind", "source_id", "due_on"])
    )
    statement = (
        select(Task)
        .where(Task.kind == row.kind, Task.source_id == row.source_id, Task.due_on == row.due_on)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    task: Task = (await session.scalars(statement)).one()
    return task


def add(session: AsyncSession, task: Task) -> None:
    session.add(task)


async def organisations_with_tasks(session: AsyncSession) -> list[uuid.UUID]:
    """Every organisation that runs a pathway, made a task or has a transfer to accept (the
    sweep's round)."""
    statement = union(
        select(Pathway.organization_id),
        select(Task.organization_id),
        select(TransferRequest.to_organization_id).where(TransferRequest.status == "pending"),
    ).order_by("organization_id")
    return list(await session.scalars(statement))


async def first_notice(session: AsyncSession, row: Row[Any], moment: datetime) -> bool:
    """Record that the task's ``task.due`` is written; False when it already was."""
    inserted = await session.scalar(
        insert(TaskDueNotice)
        .values(kind=row.kind, source_id=row.source_id, due_on=row.due_on, noticed_at=moment)
        .on_conflict_do_nothing()
        .returning(TaskDueNotice.kind)
    )
    return inserted is not None
