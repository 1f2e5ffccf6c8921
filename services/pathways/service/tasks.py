"""Tasks and reminders: the list of what is due for an operator or an organisation, manual tasks,
and done / snooze / reassign. Only the organisation's case workers see its tasks; any other
caller sees an empty list and 404s."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.clients.gateway import GatewayClient
from services.pathways.db import pathways as pathway_rows
from services.pathways.db import tasks as repository
from services.pathways.db.models import Task
from services.pathways.domain.tasks import (
    SnoozeRefused,
    TaskKey,
    TaskKind,
    check_snooze,
    parse_task_id,
    status_of,
)
from services.pathways.errors import (
    InvalidField,
    MayNotWorkOnTasks,
    PersonNotFound,
    TaskNotFound,
)
from services.pathways.schemas.tasks import TaskCreate, TaskUpdate
from shared import clock
from shared.auth import Principal, Role

NOT_ASSIGNABLE = "not an active operator or org admin of your organisation"


def as_read(row: Row[Any], today: Any) -> dict[str, Any]:
    status = status_of(row.done_at, row.snoozed_until, today)
    key = TaskKey(TaskKind(row.kind), row.source_id, row.due_on)
    return {
        "id": str(key),
        "kind": row.kind,
        "status": status.value,
        "due_on": row.due_on.isoformat(),
        "overdue": status == "open" and row.due_on < today,
        "title": row.title,
        "detail": row.detail,
        "source_id": str(row.source_id),
        "pathway_id": _str(row.pathway_id),
        "beneficiary_id": _str(row.beneficiary_id),
        "assigned_to": row.reassigned_to or row.default_assignee,
        "note": row.note,
        "snoozed_until": _str(row.snoozed_until and row.snoozed_until.isoformat()),
        "snooze_reason": row.snooze_reason,
        "done_at": _str(row.done_at and row.done_at.isoformat()),
        "done_by": row.done_by,
    }


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


def default_assignee(principal: Principal, assigned_to: str | None) -> str | None:
    """``me`` is the caller; without a filter an operator sees their own list, an org admin
    or a partner system the organisation's."""
    if assigned_to == "me":
        return principal.subject
    if assigned_to is None and not principal.acts_as(Role.ORG_ADMIN, Role.PARTNER_SYSTEM):
        return principal.subject
    return assigned_to


async def list_tasks(
    session: AsyncSession,
    principal: Principal,
    only: repository.TaskFilter,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    if not principal.works_on_cases:
        return {"items": [], "next_cursor": None}
    if only.assigned_to is not None or only.beneficiary_id is None:
        # One person's tasks (a case screen) are the organisation's, whoever holds them.
        only = replace(only, assigned_to=default_assignee(principal, only.assigned_to))
    moment = clock.now()
    rows, next_cursor = await repository.page(session, principal, moment, only, limit, cursor)
    today = moment.date()
    return {"items": [as_read(row, today) for row in rows], "next_cursor": next_cursor}


async def find(session: AsyncSession, principal: Principal, task_id: str) -> Row[Any]:
    """The task the caller's organisation may see, or 404."""
    key = parse_task_id(task_id)
    if key is None or not principal.works_on_cases:
        raise TaskNotFound()
    row = await repository.one(session, principal, clock.now(), key)
    if row is None:
        raise TaskNotFound()
    return row


def version_of(row: Row[Any]) -> int:
    """A derived task nobody acted on is at version 1, as is its state row when first made."""
    return int(row.version or 1)


async def _check_assignable(
    principal: Principal, user_id: str, gateway: GatewayClient, field: str = "assigned_to"
) -> None:
    assert principal.organization_id is not None
    if not await gateway.is_operator(principal.organization_id, user_id):
        raise InvalidField(field, NOT_ASSIGNABLE)


async def create(
    session: AsyncSession, principal: Principal, body: TaskCreate, gateway: GatewayClient
) -> uuid.UUID:
    if not principal.works_on_cases:
        raise MayNotWorkOnTasks()
    assert principal.organization_id is not None
    moment = clock.now()
    beneficiary_id, assignee = body.beneficiary_id, body.assigned_to
    if body.pathway_id is not None:
        pathway = await pathway_rows.get_for_work(session, principal, body.pathway_id, moment)
        if beneficiary_id is not None and beneficiary_id != pathway.beneficiary_id:
            raise InvalidField("beneficiary_id", "not the person of the pathway")
        beneficiary_id = pathway.beneficiary_id
        assignee = assignee or pathway.assigned_to
    elif beneficiary_id is not None and not await pathway_rows.may_see_person(
        session, principal, beneficiary_id, moment
    ):
        raise PersonNotFound()
    if body.assigned_to is not None:
        await _check_assignable(principal, body.assigned_to, gateway)
    task_id = uuid.uuid4()
    repository.add(
        session,
        Task(
            id=task_id,
            organization_id=principal.organization_id,
            kind=TaskKind.MANUAL.value,
            source_id=task_id,
            due_on=body.due_on,
            pathway_id=body.pathway_id,
            beneficiary_id=beneficiary_id,
            title=body.title,
            note=body.note,
            assigned_to=assignee or principal.subject,
            version=1,
            created_at=moment,
            created_by=principal.subject,
            updated_at=moment,
        ),
    )
    await session.flush()
    if body.pathway_id is not None:
        pathway_rows.note_on(
            session, body.pathway_id, "task_created", principal.subject, task_id=str(task_id)
        )
    return task_id


async def change(
    session: AsyncSession,
    principal: Principal,
    row: Row[Any],
    body: TaskUpdate,
    gateway: GatewayClient,
    check_version: Any,
) -> None:
    """Done, reopened, snoozed or reassigned, against the version the caller read (If-Match)."""
    assert principal.organization_id is not None
    moment = clock.now()
    today = moment.date()
    try:
        check_snooze(body.snoozed_until, body.snooze_reason, today)
    except SnoozeRefused as refused:
        raise InvalidField("snoozed_until", str(refused)) from refused
    if body.assigned_to is not None:
        await _check_assignable(principal, body.assigned_to, gateway)
    task = await repository.state_locked(
        session, principal.organization_id, row, principal.subject, moment
    )
    check_version(task.version)
    if body.status == "done":
        task.done_at, task.done_by = moment, principal.subject
        task.snoozed_until = task.snooze_reason = None
    elif body.status == "open":
        task.done_at = task.done_by = None
        task.snoozed_until = task.snooze_reason = None
    if body.snoozed_until is not None:
        task.snoozed_until, task.snooze_reason = body.snoozed_until, body.snooze_reason
    if body.assigned_to is not None:
        task.assigned_to = body.assigned_to
    task.version += 1
    task.updated_at = moment
    if task.pathway_id is not None:
        pathway_rows.note_on(
            session,
            task.pathway_id,
            "task_changed",
            principal.subject,
            task_kind=task.kind,
            status=status_of(task.done_at, task.snoozed_until, today).value,
            assigned_to=task.assigned_to,
        )
    await session.flush()
