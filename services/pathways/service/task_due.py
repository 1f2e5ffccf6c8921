"""``task.due``: an event when a task enters its organisation's list of what is due, so that
partners and apps can remind the operator (the gateway turns it into webhooks). Tasks are derived
at read time, so nothing happens at the moment one falls due: a sweep looks, every few minutes, at
each organisation's open tasks that entered the list in the last week, and writes the event of
each one not announced yet (a notice row, unique per task, makes it once per task whichever
replica sweeps). A task already due for longer is not announced: a first sweep after an upgrade
does not send an organisation's whole backlog."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.pathways.db import tasks as repository
from services.pathways.db.models import outbox
from services.pathways.domain.tasks import TaskKey, TaskKind
from shared import clock
from shared.auth import Principal, PrincipalKind, Role
from shared.contracts import pathways as contract
from shared.events import emit
from shared.logging import get_logger
from shared.worker import cancel_and_wait

_log = get_logger("ponte.pathways.tasks")
ANNOUNCE_WITHIN = timedelta(days=7)
PAGE = 200


def _organisation(organization_id: uuid.UUID) -> Principal:
    """The organisation's whole list, as its org admin reads it."""
    return Principal(
        subject="pathways",
        kind=PrincipalKind.CLIENT,
        organization_id=organization_id,
        roles=frozenset({Role.ORG_ADMIN}),
        issuer="pathways",
        expires_at=0,
    )


async def announce(session: AsyncSession, moment: datetime) -> int:
    """Write ``task.due`` for every open task that entered its list since a week and has not
    been announced; the number written."""
    written = 0
    since = moment.date() - ANNOUNCE_WITHIN
    for organization_id in await repository.organisations_with_tasks(session):
        principal = _organisation(organization_id)
        only = repository.TaskFilter(entered_since=since)
        cursor: str | None = None
        while True:
            rows, cursor = await repository.page(session, principal, moment, only, PAGE, cursor)
            for row in rows:
                if not await repository.first_notice(session, row, moment):
                    continue
                key = TaskKey(TaskKind(row.kind), row.source_id, row.due_on)
                event = contract.TaskDue(
                    task_id=str(key),
                    kind=row.kind,
                    due_on=row.due_on,
                    organization_id=organization_id,
                    pathway_id=row.pathway_id,
                    beneficiary_id=row.beneficiary_id,
                    assigned_to=row.reassigned_to or row.default_assignee,
                )
                await emit(session, outbox, contract.TASK_DUE, event, source="pathways")
                written += 1
            if cursor is None:
                break
    return written


async def sweep_forever(sessions: async_sessionmaker[AsyncSession], every_seconds: float) -> None:
    """Every ``every_seconds`` (and a random tenth more, so that replicas spread out)."""
    while True:
        await asyncio.sleep(every_seconds * (1 + random.uniform(0, 0.1)))  # noqa: S311 - jitter
        try:
            async with sessions() as session, session.begin():
                written = await announce(session, clock.now())
            if written:
                _log.info("tasks_due_announced", tasks=written)
        except Exception as error:  # try again later; never take the service down
            _log.error("task_due_sweep_error", error=type(error).__name__)


def start_sweep(
    sessions: async_sessionmaker[AsyncSession], every_seconds: float
) -> asyncio.Task[None]:
    return asyncio.create_task(sweep_forever(sessions, every_seconds), name="task-due")


async def stop_sweep(task: asyncio.Task[None] | None) -> None:
    await cancel_and_wait(task)
