"""Asynchronous batches: a batch larger than the synchronous limit is stored as a job (its items
in intake's database, in the request's transaction) and answered 202; ``job_runner`` processes
it. A job is read by the principal that submitted it, in its organisation, and by nobody else
(404, as for a job that is not there)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import jobs
from services.intake.db.jobs import Job
from services.intake.domain.enums import BatchMode, JobStatus
from services.intake.errors import FieldRefused, JobNotFound
from services.intake.service import batch, upsert
from shared import clock
from shared.auth import Principal
from shared.pagination import Page, page_of

# A commit that leaves a job work marks its session with this key; the runner wakes at once.
COMMIT_KEY = "ponte.intake.jobs"


def location(job: Job) -> str:
    return f"/api/v1/jobs/{job.id}"


async def submit(
    session: AsyncSession,
    principal: Principal,
    items: list[Any],
    *,
    mode: BatchMode,
    all_or_nothing: bool,
    max_items: int,
) -> Job:
    """The job, queued, its items stored. In upsert mode an item repeating an earlier item's
    external_id is settled at once (an error), as a synchronous batch settles it."""
    batch.admit(principal, len(items), batch.Limits(max_items=max_items))
    assert principal.organization_id is not None
    if all_or_nothing:
        raise FieldRefused(
            "all_or_nothing is for a batch answered at once; split this one, or send it "
            "without all_or_nothing to run it as a job.",
            "all_or_nothing",
            "cannot be set on a batch run as a job",
            "not_allowed",
        )
    now = clock.now()
    settled = upsert.repeated(items) if mode is BatchMode.UPSERT else {}
    job = Job(
        id=uuid.uuid4(),
        organization_id=principal.organization_id,
        submitted_by=principal.subject,
        principal={
            "kind": principal.kind.value,
            "roles": sorted(principal.roles),
            "scopes": sorted(principal.scopes),
            "issuer": principal.issuer,
        },
        mode=mode.value,
        status=JobStatus.QUEUED.value,
        total=len(items),
        done=len(settled),
        counts=dict(Counter(result["status"] for result in settled.values())),
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    await jobs.add(
        session, job, [None if index in settled else item for index, item in enumerate(items)]
    )
    if settled:
        await jobs.settle(session, job.id, sorted(settled.items()))
    session.info[COMMIT_KEY] = True
    return job


async def read(session: AsyncSession, principal: Principal, job_id: uuid.UUID) -> Job:
    job = await jobs.submitted(session, job_id, principal.organization_id, principal.subject)
    if job is None:
        raise JobNotFound
    return job


async def page(
    session: AsyncSession, job: Job, *, limit: int, cursor: str | None
) -> Page[dict[str, Any]]:
    """The processed items' results, by index."""
    rows = await jobs.results(session, job.id, cursor, limit)
    return page_of(rows, limit, key=lambda row: (row.index,), convert=lambda row: row.result)


def document(
    job: Job,
    results: list[dict[str, Any]],
    next_cursor: str | None,
    retention: timedelta,
) -> dict[str, Any]:
    return {
        "id": str(job.id),
        "status": job.status,
        "mode": job.mode,
        "progress": {"done": job.done, "total": job.total},
        "counts": dict(job.counts),
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "expires_at": (job.finished_at + retention).isoformat() if job.finished_at else None,
        "error": job.error,
        "results": {"items": results, "next_cursor": next_cursor},
    }
