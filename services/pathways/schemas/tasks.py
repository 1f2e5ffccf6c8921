"""Bodies of ``/api/v1/tasks``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.pathways.domain.tasks import TaskKind, TaskStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TaskCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Call the employer about the evening shifts",
                    "due_on": "2026-12-01",
                    "pathway_id": "0b6f7c9e-3d2a-4f1b-8e5c-7a9d1c2b3e4f",
                }
            ]
        },
    )

    title: Title
    due_on: date
    note: Text | None = None
    pathway_id: uuid.UUID | None = Field(
        default=None, description="a pathway your organisation runs (the task is about it)"
    )
    beneficiary_id: uuid.UUID | None = Field(
        default=None, description="a person you may see (implied by pathway_id)"
    )
    assigned_to: UserId | None = Field(
        default=None,
        description="an active operator or org admin of your organisation (defaults to the "
        "pathway's operator, or to you)",
    )


class TaskUpdate(BaseModel):
    """Done, reopened, snoozed or reassigned; at least one change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "done"},
                {"snoozed_until": "2026-12-10", "snooze_reason": "Waiting for the payslip"},
                {"assigned_to": "8f0f3c1e-7a56-4d2b-9b8e-6b1c2d3e4f50"},
            ]
        },
    )

    status: Literal["done", "open"] | None = Field(
        default=None, description="done; or open again (clears done and any snooze)"
    )
    snoozed_until: date | None = Field(
        default=None, description="hidden from what is due until this day (after today)"
    )
    snooze_reason: Reason | None = None
    assigned_to: UserId | None = Field(
        default=None, description="an active operator or org admin of your organisation"
    )

    @model_validator(mode="after")
    def _one_change(self) -> TaskUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one of status, snoozed_until, assigned_to")
        if self.status == "done" and self.snoozed_until is not None:
            raise ValueError("a task is either done or snoozed")
        return self


class TaskRead(BaseModel):
    id: str = Field(
        description="a manual task's UUID; a derived task's `kind.source_id.due_on` (stable)"
    )
    kind: TaskKind
    status: TaskStatus
    due_on: date
    overdue: bool = Field(description="open and due before today")
    title: str | None = Field(description="a manual task's title, an action's title")
    detail: str | None = Field(
        description="the action type, the escalation target, the follow-up's months, the "
        "document's kind, the organisation asking for a transfer"
    )
    source_id: uuid.UUID = Field(
        description="what the task is about: the action, the pathway (monitoring, permit), the "
        "follow-up, the referral, the document, the transfer; a manual task's own id"
    )
    pathway_id: uuid.UUID | None
    beneficiary_id: uuid.UUID | None
    assigned_to: str | None
    note: str | None
    snoozed_until: date | None
    snooze_reason: str | None
    done_at: datetime | None
    done_by: str | None


class TaskPage(BaseModel):
    items: list[TaskRead]
    next_cursor: str | None = None
