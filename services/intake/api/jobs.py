"""``/api/v1/jobs``: asynchronous batches (``POST /api/v1/beneficiaries/batch`` beyond 500)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Response

from services.intake.api.deps import Settings
from services.intake.schemas.job import JobRead
from services.intake.service import jobs
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.openapi import problems
from shared.pagination import CursorParam, Limit
from shared.responses import json_response

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


@router.get(
    "/{job_id}",
    response_model=JobRead,
    responses=problems(404),
    summary="An asynchronous batch: its status, progress and a page of its items' results",
    description="Read by whoever submitted it (the same user or client of the same "
    "organisation); anyone else, 404. `results` holds the results of the items processed so "
    "far, by index (`limit`, `cursor`). Poll until `status` is `succeeded` or `failed`; a "
    "failed job's unprocessed items are `error` results: send them again. Jobs are deleted "
    "`PONTE_INTAKE_JOB_RETENTION_HOURS` (7 days) after they finish (`expires_at`); the items "
    "as sent are deleted as soon as each is processed.",
)
async def read_job(
    job_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    settings: Settings,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    job = await jobs.read(session, principal, job_id)
    found = await jobs.page(session, job, limit=limit, cursor=cursor)
    retention = timedelta(hours=settings.job_retention_hours)
    return json_response(jobs.document(job, found.items, found.next_cursor, retention))
