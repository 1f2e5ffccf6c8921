"""The body of ``/api/v1/jobs/{job_id}``: an asynchronous batch."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from services.intake.domain.enums import BatchMode, JobStatus
from services.intake.schemas.pages import BatchItemResult


class JobProgress(BaseModel):
    done: int = Field(description="items with a result")
    total: int


class JobResults(BaseModel):
    items: list[BatchItemResult]
    next_cursor: str | None


class JobRead(BaseModel):
    """A batch run in the background: its progress and a page of its items' results (those
    processed so far, by index); the results are kept until ``expires_at``."""

    id: uuid.UUID
    status: JobStatus
    mode: BatchMode
    progress: JobProgress
    counts: dict[str, int] = Field(description='results by status, e.g. {"created": 480}')
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="when the job and its results are purged")
    error: str | None = Field(description="failed: the kind of failure")
    results: JobResults
