"""Bodies of ``/api/v1/pathways`` and its close, follow-up and timeline routes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.pathways.domain.attention import Attention
from services.pathways.domain.employment import ContractType, EmploymentStatus, Outcome
from services.pathways.domain.loop import Step
from services.pathways.schemas.steps import ActionRead, StepRead
from shared.sync import Removed, removed_field, watermark_field

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PathwayCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"beneficiary_id": "5d7c0d5e-8c1a-4c3e-9f0b-2b1f3f7a9c11"}]
        },
    )

    beneficiary_id: uuid.UUID
    assigned_to: str | None = Field(
        default=None, max_length=100, description="the operator's user id (defaults to you)"
    )


class PathwayUpdate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"assigned_to": "8f0f3c1e-7a56-4d2b-9b8e-6b1c2d3e4f50"}]},
    )

    assigned_to: str = Field(min_length=1, max_length=100)


class PathwayRead(BaseModel):
    id: uuid.UUID
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID
    assigned_to: str
    status: str = Field(description="open or closed")
    stage: Step | None = Field(description="the last step recorded")
    cycle: int
    allowed_next_steps: list[Step] = Field(description="the steps whose turn it is in the loop")
    steps_out_of_turn: list[Step] = Field(
        description="the steps that may also be recorded now, leaving the loop where it stands: "
        "a rights check at any stage; a response (with a reason) once the cycle is assessed"
    )
    priority_need: str | None
    priority_reason: str | None
    priority_service_point_ids: list[uuid.UUID] = Field(
        description="of the service points the last assessment named, those answering the "
        "priority need"
    )
    employment_status: EmploymentStatus | None
    urgent: bool
    open_rights_violations: int
    next_monitoring_due: date | None
    next_action_due: date | None
    plan_version: int
    opened_at: datetime
    closed_at: datetime | None
    outcome: str | None
    attention: list[Attention] = Field(description="why it needs attention today")
    days_overdue: int
    actions: list[ActionRead] | None = Field(
        default=None, description="in a sync (`since`): the pathway's actions; otherwise absent"
    )
    steps: list[StepRead] | None = Field(
        default=None, description="in a sync (`since`): the pathway's steps; otherwise absent"
    )


class PathwayPage(BaseModel):
    items: list[PathwayRead]
    next_cursor: str | None
    removed: list[Removed] = removed_field("the people whose pathways you must drop")
    watermark: str | None = watermark_field()


class CloseRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"outcome": "formal_employment", "note": "Hired by Edilizia Rossi"}]
        },
    )

    outcome: Outcome
    note: Note | None = None
    override_reason: Note | None = Field(
        default=None,
        description="org admins only: close although rights violations are still open, and why",
    )


class ReopenRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Lost the job after two weeks; needs housing support again"}]
        },
    )

    reason: Note = Field(description="why the pathway is open again (kept in its timeline)")


class FollowUpRecord(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "still_in_work": True,
                    "contract_type": "fixed_term",
                    "hours_per_week": 36,
                    "monthly_pay": 1350,
                }
            ]
        },
    )

    still_in_work: bool
    contract_type: ContractType | None = None
    hours_per_week: Decimal | None = Field(default=None, ge=0, le=80, decimal_places=1)
    monthly_pay: Decimal | None = Field(default=None, ge=0, le=100_000, decimal_places=2)
    notes: Note | None = None


class FollowUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    months: int
    placed_on: date
    due_on: date
    recorded_at: datetime | None
    still_in_work: bool | None
    contract_type: str | None
    hours_per_week: Decimal | None
    monthly_pay: Decimal | None


class TimelineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    summary: dict[str, Any]
    actor: str
    at: datetime


class EmploymentTransitionRead(BaseModel):
    from_status: EmploymentStatus | None
    to_status: EmploymentStatus
    on: date
    upward: bool | None


class LadderRead(BaseModel):
    statuses: list[dict[str, Any]] = Field(description="every dated status, oldest first")
    transitions: list[EmploymentTransitionRead]
