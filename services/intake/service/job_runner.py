"""Processing asynchronous batches: one chunk of a job per transaction, as its submitter.

A step claims the oldest job due with ``FOR UPDATE SKIP LOCKED`` (so replicas share the work and
never process one job at once), runs its next chunk of items through the same code as a
synchronous batch (in a savepoint), and in the same transaction stores each item's result and
deletes its payload. A crash rolls the step back: the chunk is done again, by this replica or
another; nothing acknowledged is lost. A chunk that fails for a reason of its own (a 4xx the
whole chunk earns, such as too many duplicate candidates) settles its items as errors; a failure
of the service (matching unavailable, the database) is retried with backoff, and after
``MAX_ATTEMPTS`` the job is ``failed`` and its remaining items say they were not processed.

Finished jobs are purged after the retention (``PONTE_INTAKE_JOB_RETENTION_HOURS``)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.db import jobs
from services.intake.db.jobs import Job
from services.intake.domain.enums import BatchMode, JobStatus
from services.intake.errors import BatchExternalIdsTaken
from services.intake.service import batch, upsert
from services.intake.service.jobs import COMMIT_KEY
from shared import clock
from shared.auth import Principal
from shared.auth.principal import PrincipalKind, Role
from shared.errors import Problem, ServiceUnavailable
from shared.logging import get_logger
from shared.territory_client import TerritoryClient
from shared.worker import CommitWokenWorker

MAX_ATTEMPTS = 10
MAX_BACKOFF_SECONDS = 300
PURGE_BATCH = 100
_log = get_logger("ponte.intake.jobs")


@dataclass(frozen=True)
class Runner:
    sessions: async_sessionmaker[AsyncSession]
    matching: TerritoryClient
    limits: batch.Limits  # max_items: the chunk's size
    retention: timedelta


def principal_of(job: Job) -> Principal:
    """The submitter, as the job stored them (their token is long gone)."""
    return Principal(
        subject=job.submitted_by,
        kind=PrincipalKind(job.principal["kind"]),
        organization_id=job.organization_id,
        roles=frozenset(Role(role) for role in job.principal["roles"]),
        issuer=job.principal["issuer"],
        expires_at=0,
        scopes=frozenset(job.principal["scopes"]),
    )


def _rebased(result: dict[str, Any], local: int, index: int) -> dict[str, Any]:
    """A chunk's result as the job's item ``index`` (fields ``body.items.<index>.``)."""
    old, new = f"body.items.{local}.", f"body.items.{index}."

    def fields(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**e, "field": new + e["field"].removeprefix(old)} if e["field"].startswith(old) else e
            for e in errors
        ]

    rebased = {**result, "index": index}
    if rebased.get("errors"):
        rebased["errors"] = fields(rebased["errors"])
    if (problem := rebased.get("problem")) and problem.get("errors"):
        rebased["problem"] = {**problem, "errors": fields(problem["errors"])}
    return rebased


async def _results(
    session: AsyncSession, runner: Runner, job: Job, payloads: list[Any]
) -> list[dict[str, Any]]:
    principal = principal_of(job)
    try:
        async with session.begin_nested():
            if job.mode == BatchMode.UPSERT:
                return await upsert.upsert_many(
                    session, principal, payloads, matching=runner.matching, limits=runner.limits
                )
            return await batch.register_many(
                session,
                principal,
                payloads,
                all_or_nothing=False,
                matching=runner.matching,
                limits=runner.limits,
            )
    except Problem as problem:
        if problem.status >= 500 or isinstance(problem, BatchExternalIdsTaken):
            raise  # the service's failure, or a race: try the chunk again
        return [upsert.error(index, problem) for index in range(len(payloads))]


async def process_chunk(session: AsyncSession, runner: Runner, job: Job) -> None:
    """The job's next chunk, in ``session``'s transaction (the caller commits)."""
    items = await jobs.pending_items(session, job.id, runner.limits.max_items)
    now = clock.now()
    job.started_at = job.started_at or now
    job.status = JobStatus.RUNNING.value
    if items:
        found = await _results(session, runner, job, [item.payload for item in items])
        settled = [
            (item.index, _rebased(result, local, item.index))
            for local, (item, result) in enumerate(zip(items, found, strict=True))
        ]
        await jobs.settle(session, job.id, settled)
        counts = Counter(job.counts)
        counts.update(result["status"] for _index, result in settled)
        job.counts = dict(counts)
        job.done += len(items)
    job.attempts = 0
    job.next_attempt_at = now
    if job.done >= job.total:
        job.status, job.finished_at = JobStatus.SUCCEEDED.value, now
    else:
        session.info[COMMIT_KEY] = True  # more to do: wake the runners
    await session.flush()


async def step(runner: Runner) -> bool:
    """One chunk of the oldest job due; False when no job is."""
    job_id = None
    try:
        async with runner.sessions() as session, session.begin():
            job = await jobs.claim(session, clock.now())
            if job is None:
                return False
            job_id = job.id
            await process_chunk(session, runner, job)
        return True
    except Exception as error:
        if job_id is None:
            raise
        _log.warning("job_chunk_failed", job_id=str(job_id), error=type(error).__name__)
        async with runner.sessions() as session, session.begin():
            job = await jobs.locked(session, job_id)
            if job is not None:
                await _failed_attempt(session, job, type(error).__name__)
        return False


_NOT_PROCESSED = upsert.error(
    0, ServiceUnavailable("The item was not processed: the job failed; send it again.")
)


async def _failed_attempt(session: AsyncSession, job: Job, error: str) -> None:
    job.attempts += 1
    now = clock.now()
    if job.attempts < MAX_ATTEMPTS:
        job.next_attempt_at = now + timedelta(seconds=min(2**job.attempts, MAX_BACKOFF_SECONDS))
        return
    left = await jobs.settle_rest(session, job.id, _NOT_PROCESSED)
    counts = Counter(job.counts)
    counts["error"] += left
    job.counts = dict(counts)
    job.done += left
    job.status, job.finished_at, job.error = JobStatus.FAILED.value, now, error[:200]
    _log.error("job_failed", job_id=str(job.id), error=error)


async def purge(runner: Runner) -> int:
    """Delete the jobs finished longer ago than the retention; how many."""
    purged = 0
    while True:
        async with runner.sessions() as session, session.begin():
            deleted = await jobs.purge(session, clock.now() - runner.retention, PURGE_BATCH)
        purged += deleted
        if deleted < PURGE_BATCH:
            return purged


class JobRunner(CommitWokenWorker):
    """Processes jobs until stopped; every replica may run one. Wakes every ``poll_seconds``,
    and at once after a commit in this process that left a job work; purges hourly."""

    commit_key = COMMIT_KEY
    housekeeping_name = "job-purge"

    def __init__(self, runner: Runner, *, poll_seconds: float) -> None:
        super().__init__(housekeeping_seconds=3600.0)
        self.runner = runner
        self._poll = poll_seconds
        self._wake = asyncio.Event()

    def loops(self) -> list[tuple[str, Coroutine[Any, Any, None]]]:
        return [("batch-jobs", self._run())]

    def woken(self) -> None:
        self._wake.set()

    async def housekeep(self) -> None:
        if purged := await purge(self.runner):
            _log.info("jobs_purged", count=purged)

    async def _run(self) -> None:
        while self.running:
            self._wake.clear()
            try:
                if await step(self.runner):
                    continue
            except Exception as error:  # the database is down or the like: retry, never die
                _log.error("job_runner_error", error=type(error).__name__)
            await self.pause(self._poll, self._wake)
