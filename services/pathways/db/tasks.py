"""Every statement over tasks. Derived tasks are computed from the owning tables at read time, one
query per kind over the pathways the caller's organisation runs and may still see (so a list is
never behind its sources), joined with the ``task`` rows that record what was done to them;
manual tasks are ``task`` rows themselves. Ordered by due date, kind and source: a stable keyset.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Date,
    Row,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import (
    Action,
    FollowUp,
    Pathway,
    Person,
    Referral,
    Task,
    TaskDueNotice,
)
from services.pathways.db.pathways import person_visible
from services.pathways.domain.actions import OPEN_STATUSES
from services.pathways.domain.tasks import (
    LEAD_DAYS,
    REFERRAL_ANSWER_DAYS,
    TaskKey,
    TaskKind,
    TaskStatus,
)
from shared.auth import Principal
from shared.errors import FieldError, UnprocessableContent
from shared.pagination import decode_cursor, encode_cursor

_OPEN_ACTION = [status.value for status in OPEN_STATUSES]


@dataclass(frozen=True)
class TaskFilter:
    assigned_to: str | None = None  # a user id; None: the whole organisation
    kind: TaskKind | None = None
    due_before: date | None = None
    status: TaskStatus | None = TaskStatus.OPEN
    key: TaskKey | None = None  # one task (read, change)
    entered_since: date | None = None  # open tasks that entered the list on or after this day
    beneficiary_id: uuid.UUID | None = None  # one person's (a case screen)


def _part(
    kind: TaskKind | ColumnElement[str],
    source_id: Any,
    due_on: Any,
    pathway: Any,
    *,
    title: Any = None,
    detail: Any = None,
) -> Select[Any]:
    lead = LEAD_DAYS.get(kind, 0) if isinstance(kind, TaskKind) else 0
    kind_column = literal(kind.value, String(32)) if isinstance(kind, TaskKind) else kind
    return select(
        kind_column.label("kind"),
        source_id.label("source_id"),
        due_on.label("due_on"),
        (due_on - lead if lead else due_on).label("starts_on"),
        pathway.c.id.label("pathway_id"),
        pathway.c.beneficiary_id.label("beneficiary_id"),
        pathway.c.assigned_to.label("default_assignee"),
        (title if title is not None else cast(null(), String)).label("title"),
        (detail if detail is not None else cast(null(), String)).label("detail"),
    )


def _pathways(principal: Principal, moment: datetime, only: TaskFilter) -> CTE:
    """The pathways the caller's organisation runs and may see; for one assignee's list, only
    those assigned to them or with a task reassigned to them."""
    statement = select(
        Pathway.id,
        Pathway.beneficiary_id,
        Pathway.assigned_to,
        Pathway.status,
        Pathway.next_monitoring_due,
    ).where(
        Pathway.organization_id == principal.organization_id,
        person_visible(principal, Pathway.beneficiary_id, moment),
    )
    if only.assigned_to is not None:
        # One index range each (the caseload index, the tasks' assignee index), not an OR.
        mine: CompoundSelect[Any] = union(
            select(Pathway.id).where(Pathway.assigned_to == only.assigned_to),
            select(Task.pathway_id).where(
                Task.organization_id == principal.organization_id,
                Task.assigned_to == only.assigned_to,
                Task.pathway_id.is_not(None),
            ),
        )
        statement = statement.where(Pathway.id.in_(mine))
    if only.beneficiary_id is not None:
        statement = statement.where(Pathway.beneficiary_id == only.beneficiary_id)
    per_pathway = (TaskKind.MONITORING_DUE, TaskKind.PERMIT_EXPIRING)
    if only.key is not None and only.key.kind in per_pathway:
        statement = statement.where(Pathway.id == only.key.source_id)
    return statement.cte("visible_pathway")


def _derived(principal: Principal, moment: datetime, only: TaskFilter) -> list[Select[Any]]:
    p = _pathways(principal, moment, only)
    is_open = p.c.status == "open"
    wanted = only.key.kind if only.key is not None else only.kind
    parts: dict[TaskKind, Select[Any]] = {}
    # One scan of the actions for both kinds: an escalation of a rights violation, or any other.
    escalation = Action.escalation_target.is_not(None)
    action_kind = case(
        (escalation, TaskKind.RIGHTS_ESCALATION.value), else_=TaskKind.ACTION_DUE.value
    )
    actions = (
        _part(
            action_kind,
            Action.id,
            Action.due_date,
            p,
            title=Action.title,
            detail=func.coalesce(Action.escalation_target, Action.type),
        )
        .join(p, p.c.id == Action.pathway_id)
        .where(is_open, Action.status.in_(_OPEN_ACTION), Action.due_date.is_not(None))
    )
    if wanted == TaskKind.ACTION_DUE:
        actions = actions.where(~escalation)
    elif wanted == TaskKind.RIGHTS_ESCALATION:
        actions = actions.where(escalation)
    parts[TaskKind.ACTION_DUE] = parts[TaskKind.RIGHTS_ESCALATION] = actions
    parts[TaskKind.MONITORING_DUE] = _part(
        TaskKind.MONITORING_DUE, p.c.id, p.c.next_monitoring_due, p
    ).where(is_open, p.c.next_monitoring_due.is_not(None))
    # Retention after a placement is followed on closed pathways too: a placement often closes one.
    parts[TaskKind.PLACEMENT_FOLLOW_UP] = (
        _part(
            TaskKind.PLACEMENT_FOLLOW_UP,
            FollowUp.id,
            FollowUp.due_on,
            p,
            detail=cast(FollowUp.months, String),
        )
        .join(p, p.c.id == FollowUp.pathway_id)
        .where(FollowUp.recorded_at.is_(None))
    )
    parts[TaskKind.PERMIT_EXPIRING] = (
        _part(TaskKind.PERMIT_EXPIRING, p.c.id, Person.permit_expires_on, p)
        .join(p, p.c.beneficiary_id == Person.beneficiary_id)
        .where(is_open, Person.permit_expires_on.is_not(None))
    )
    # A referral the provider has not answered: the referrer's, on the pathway it names or the
    # person's open pathway.
    parts[TaskKind.REFERRAL_WAITING] = (
        _part(
            TaskKind.REFERRAL_WAITING,
            Referral.id,
            Referral.proposed_on + REFERRAL_ANSWER_DAYS,
            p,
        )
        .join(
            p,
            or_(
                p.c.id == Referral.pathway_id,
                and_(
                    Referral.pathway_id.is_(None),
                    p.c.beneficiary_id == Referral.beneficiary_id,
                    is_open,
                ),
            ),
        )
        .where(
            Referral.status == "proposed",
            Referral.organization_id == principal.organization_id,
        )
    )
    if wanted is None:
        return list({id(part): part for part in parts.values()}.values())
    return [parts[wanted]] if wanted in parts else []


def _manual(principal: Principal, moment: datetime, only: TaskFilter) -> Select[Any]:
    """Manual tasks of the caller's organisation, about no one or about someone it may see."""
    columns: list[Any] = [
        literal(TaskKind.MANUAL.value, String(32)).label("kind"),
        Task.source_id.label("source_id"),
        Task.due_on.label("due_on"),
        Task.due_on.label("starts_on"),
        Task.pathway_id.label("pathway_id"),
        Task.beneficiary_id.label("beneficiary_id"),
        Task.assigned_to.label("default_assignee"),
        Task.title.label("title"),
        cast(null(), String).label("detail"),
    ]
    statement = select(*columns).where(
        Task.kind == TaskKind.MANUAL.value,
        Task.organization_id == principal.organization_id,
        or_(
            Task.beneficiary_id.is_(None),
            person_visible(principal, Task.beneficiary_id, moment),
        ),
    )
    if only.assigned_to is not None:
        statement = statement.where(Task.assigned_to == only.assigned_to)
    if only.beneficiary_id is not None:
        statement = statement.where(Task.beneficiary_id == only.beneficiary_id)
    return statement


def _statement(principal: Principal, moment: datetime, only: TaskFilter) -> Select[Any]:
    parts = _derived(principal, moment, only)
    wanted = only.key.kind if only.key is not None else only.kind
    if wanted in (None, TaskKind.MANUAL):
        parts.append(_manual(principal, moment, only))
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
    """Every organisation that runs a pathway or made a task (the sweep's round)."""
    statement = union(select(Pathway.organization_id), select(Task.organization_id)).order_by(
        "organization_id"
    )
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
