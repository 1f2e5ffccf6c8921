"""``/api/v1/tasks``: what is due for an operator or an organisation (derived from the pathways'
records and kept current by them, plus manual tasks), one task, a manual task, and done /
snooze / reassign."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from services.pathways.clients.gateway import GatewayClient
from services.pathways.db.models import idempotency
from services.pathways.db.tasks import TaskFilter
from services.pathways.domain.tasks import TaskKey, TaskKind, TaskStatus
from services.pathways.schemas.tasks import TaskCreate, TaskPage, TaskRead, TaskUpdate
from services.pathways.service import tasks as service
from shared import clock
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.etags import check_if_match
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/tasks", tags=["tasks"], route_class=idempotent_routes(idempotency)
)

TaskId = Annotated[
    str,
    Path(max_length=120, description="a manual task's UUID, or a derived task's stable id"),
]


def _gateway(request: Request) -> GatewayClient:
    settings = request.app.state.settings
    return GatewayClient(request.app.state.http, settings.gateway_url, settings.internal_token)


@router.get(
    "",
    response_model=TaskPage,
    summary="What is due: actions, monitoring, placement follow-ups, permits and documents "
    "expiring, escalations, referrals waiting, transfers to accept, manual tasks",
    description="Derived from the pathways your organisation runs and the records about their "
    "people, at the time of the request: a task is gone once its source is recorded (the "
    "follow-up recorded, the action done, the document deleted, the transfer decided). A "
    "transfer another organisation asks yours to accept is the organisation's (`assigned_to` "
    "null) until someone is given it. The soonest due first. Without `assigned_to`, an operator "
    "reads their own list, an org admin and a partner system the organisation's. Without "
    "`due_before`, open tasks are those due today or earlier (a permit or a document from 60 "
    "days before it expires); with it, every task due before that day. "
    "`status` is `open` by default; `snoozed` and `done` list those. With `beneficiary_id` and no "
    "`assigned_to`: the organisation's tasks about that person, whoever holds them.",
)
async def list_tasks(
    principal: CurrentPrincipal,
    session: DbSession,
    assigned_to: Annotated[
        str | None, Query(max_length=100, description="a user id, or me")
    ] = None,
    kind: TaskKind | None = None,
    due_before: date | None = None,
    status_filter: Annotated[TaskStatus, Query(alias="status")] = TaskStatus.OPEN,
    beneficiary_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    only = TaskFilter(
        assigned_to=assigned_to,
        kind=kind,
        due_before=due_before,
        status=status_filter,
        beneficiary_id=beneficiary_id,
    )
    return json_response(await service.list_tasks(session, principal, only, limit, cursor))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskRead,
    responses=problems(403, 404, 422, 503),
    summary="A manual task (Idempotency-Key)",
    description="About a pathway your organisation runs, a person you may see, or no one. "
    "`assigned_to` must be an active operator or org admin of your organisation (422 otherwise).",
)
async def create_task(
    body: TaskCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    task_id = await service.create(session, principal, body, _gateway(request))
    row = await service.find(session, principal, str(TaskKey(TaskKind.MANUAL, task_id)))
    response = json_response(
        service.as_read(row, clock.now().date()), version=service.version_of(row)
    )
    response.status_code = status.HTTP_201_CREATED
    response.headers["Location"] = f"/api/v1/tasks/{task_id}"
    return response


@router.get("/{task_id}", response_model=TaskRead, responses=problems(404), summary="One task")
async def read_task(task_id: TaskId, principal: CurrentPrincipal, session: DbSession) -> Response:
    row = await service.find(session, principal, task_id)
    return json_response(service.as_read(row, clock.now().date()), version=service.version_of(row))


@router.patch(
    "/{task_id}",
    response_model=TaskRead,
    responses=problems(404, 412, 422, 428, 503),
    summary="Done, open again, snooze (until a day, with a reason) or reassign (If-Match)",
    description="`assigned_to` must be an active operator or org admin of your organisation "
    "(422 otherwise). A derived task that was done comes back only as a new task (a new due "
    "date); it is gone for good once its source is recorded.",
)
async def update_task(
    task_id: TaskId,
    body: TaskUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    row = await service.find(session, principal, task_id)
    await service.change(
        session,
        principal,
        row,
        body,
        _gateway(request),
        lambda version: check_if_match(request, version),
    )
    row = await service.find(session, principal, task_id)
    return json_response(service.as_read(row, clock.now().date()), version=service.version_of(row))
