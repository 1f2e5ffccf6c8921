"""Bodies of ``/api/v1/appointments`` and what the self-service app shows of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Self

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.pathways.domain.appointments import MAX_DURATION, Attendance, AttendanceReason
from services.pathways.domain.loop import Step
from shared.dates import IsoDateTime
from shared.pagination import WholeCursor


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a time zone (an offset such as +01:00, or Z)")
    return value


def _iso_639_1(code: str) -> str:
    if pycountry.languages.get(alpha_2=code) is None:
        raise ValueError("is not an ISO 639-1 language code")
    return code


AwareDateTime = Annotated[IsoDateTime, AfterValidator(_aware)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$"), AfterValidator(_iso_639_1)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
Purpose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Minutes = Annotated[int, Field(ge=5, le=int(MAX_DURATION.total_seconds() // 60))]

EXAMPLE: dict[str, Any] = {
    "beneficiary_id": "7b0c6f1e-3a51-4a8e-9d7c-2f4b1e0a9c11",
    "pathway_id": "0f8e4c2a-6b1d-4e3f-8a9b-5c7d2e1f0a34",
    "step": "monitor",
    "action_id": "3c9a1b7e-2d4f-4a6b-8c1e-9f0a2b3c4d56",
    "start_at": "2027-06-15T09:30:00+02:00",
    "duration_minutes": 45,
    "service_point_id": "5e2d8c1a-7f3b-4c9e-a1d2-6b4f8e0c2a78",
    "operator_id": "9d1e2f3a-4b5c-4d6e-8f70-a1b2c3d4e5f6",
    "interpreter_needed": True,
    "language": "ar",
    "purpose": "Monthly follow-up of the plan",
}


class _Place(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def _one_place(self, service_point_id: uuid.UUID | None, address: str | None) -> None:
        if (service_point_id is None) == (address is None):
            raise ValueError("give the place as either service_point_id or address")


class AppointmentCreate(_Place):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    beneficiary_id: uuid.UUID = Field(description="a person you may see")
    pathway_id: uuid.UUID | None = Field(
        default=None, description="a pathway of your organisation for this person"
    )
    step: Step | None = Field(
        default=None, description="the loop step it serves (needs pathway_id)"
    )
    action_id: uuid.UUID | None = Field(
        default=None, description="the action of that pathway it serves (needs pathway_id)"
    )
    start_at: AwareDateTime = Field(description="ISO 8601 with a time zone offset")
    duration_minutes: Minutes = 60
    service_point_id: uuid.UUID | None = Field(
        default=None,
        description="where: a service point (active and visible to your organisation); or address",
    )
    address: Address | None = Field(default=None, description="where, when not a service point")
    operator_id: UserId | None = Field(
        default=None,
        description="the operator's user id (an active operator or org admin of your "
        "organisation); you by default, and required of a partner system",
    )
    interpreter_needed: bool = False
    cultural_mediator_needed: bool = False
    language: LanguageCode | None = Field(
        default=None, description="ISO 639-1: the language the interpreter or mediator speaks"
    )
    purpose: Purpose | None = Field(default=None, description="a short purpose, no notes")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        self._one_place(self.service_point_id, self.address)
        if self.pathway_id is None and (self.step is not None or self.action_id is not None):
            raise ValueError("step and action_id need the pathway_id they belong to")
        _check_language(self.interpreter_needed or self.cultural_mediator_needed, self.language)
        return self


def _check_language(support: bool, language: str | None) -> None:
    if support and language is None:
        raise ValueError("an interpreter or a cultural mediator needs the language")
    if not support and language is not None:
        raise ValueError("language is given with interpreter_needed or cultural_mediator_needed")


class AppointmentUpdate(_Place):
    """Reschedule (time, length, place, operator, language support) while scheduled, or record
    the attendance, with a reason when missed or cancelled; not both at once."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"start_at": "2027-06-22T10:00:00+02:00", "duration_minutes": 30},
                {"attendance": "missed", "attendance_reason": "transport"},
            ]
        },
    )

    start_at: AwareDateTime | None = None
    duration_minutes: Minutes | None = None
    service_point_id: uuid.UUID | None = None
    address: Address | None = None
    operator_id: UserId | None = None
    interpreter_needed: bool | None = None
    cultural_mediator_needed: bool | None = None
    language: LanguageCode | None = None
    purpose: Purpose | None = None
    attendance: Attendance | None = None
    attendance_reason: AttendanceReason | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        given = self.model_fields_set
        if not given:
            raise ValueError("nothing to change")
        if given & {"service_point_id", "address"}:
            self._one_place(self.service_point_id, self.address)
        details = given - {"attendance", "attendance_reason"}
        if "attendance" in given and details:
            raise ValueError("record the attendance in a request of its own")
        if "attendance_reason" in given and "attendance" not in given:
            raise ValueError("attendance_reason goes with attendance")
        nullable = {"language", "purpose", "service_point_id", "address"}  # the place: above
        nulls = {name for name in details - nullable if getattr(self, name) is None}
        if nulls or ("attendance" in given and self.attendance is None):
            raise ValueError(f"cannot be null: {', '.join(sorted(nulls) or ['attendance'])}")
        return self


class AppointmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID = Field(description="the organisation that booked it")
    pathway_id: uuid.UUID | None
    step: Step | None
    action_id: uuid.UUID | None
    start_at: datetime
    duration_minutes: int
    service_point_id: uuid.UUID | None
    service_point_name: str | None = Field(description="the service point's name when booked")
    address: str | None
    operator_id: str
    interpreter_needed: bool
    cultural_mediator_needed: bool
    language: str | None
    purpose: str | None
    attendance: Attendance
    attendance_reason: AttendanceReason | None
    attendance_recorded_at: datetime | None
    attendance_recorded_by: str | None
    created_at: datetime
    created_by: str
    updated_at: datetime


class AppointmentPage(BaseModel):
    items: list[AppointmentRead]
    next_cursor: str | None = None


class OwnAppointment(BaseModel):
    """What the person needs to turn up: when, where, why, in which language; no internal ids
    of the casework (pathway, action, operator)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    start_at: datetime
    duration_minutes: int
    place_name: str | None = Field(description="the service point's name, when it is one")
    address: str | None
    purpose: str | None
    interpreter_needed: bool
    cultural_mediator_needed: bool
    language: str | None
    cancelled: bool


class OwnAppointments(BaseModel):
    items: list[OwnAppointment]
    next_cursor: WholeCursor = None
