"""The pathways service's tables: pathways, their steps, actions and plan versions, rights
violations, the employment ladder, placement follow-ups, the timeline, appointments; a copy of
what pathways needs to know about each person (for caseloads and indicators) and of who may see
whom."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.access_mirror import access_table, grant_table
from shared.db import make_metadata
from shared.events import inbox_table, outbox_tables
from shared.events.outbox import CURRENT_TRANSACTION_ID
from shared.idempotency import idempotency_table

metadata = make_metadata()
beneficiary_access = access_table(metadata)
beneficiary_grant = grant_table(metadata)
inbox = inbox_table(metadata)
outbox = outbox_tables(metadata)
idempotency = idempotency_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata


def _timestamp() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Person(Base):
    """What pathways knows of a person, from intake's events: enough for caseloads (permit
    expiry), indicators (sex, age and arrival bands, nationality, municipality) and urgency (the
    vulnerability level, critical under ILO forced-labour indicators). No names."""

    __tablename__ = "person"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organization_id: Mapped[uuid.UUID]
    sex: Mapped[str | None] = mapped_column(String(16))
    nationality: Mapped[str | None] = mapped_column(String(2))
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    arrival_month: Mapped[date | None] = mapped_column(
        Date, comment="the arrival date's month (its first day): the indicators' arrival band"
    )
    municipality: Mapped[str | None] = mapped_column(String(120))
    permit_expires_on: Mapped[date | None] = mapped_column(Date)
    vulnerability_level: Mapped[str | None] = mapped_column(
        String(16),
        comment="intake's: critical exactly when ILO forced-labour indicators are recorded",
    )
    updated_at: Mapped[datetime] = _timestamp()


class Pathway(Base):
    __tablename__ = "pathway"
    __table_args__ = (
        Index(
            "uq_pathway_open_per_organisation",
            "beneficiary_id",
            "organization_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_pathway_caseload", "assigned_to", "status"),
        Index("ix_pathway_organization", "organization_id", "status", "opened_at"),
        Index("ix_pathway_beneficiary", "beneficiary_id"),
        Index("ix_pathway_sync", "sync_xact", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID]
    organization_id: Mapped[uuid.UUID] = mapped_column(comment="the organisation running it")
    assigned_to: Mapped[str] = mapped_column(String(100), comment="the operator's user id")
    status: Mapped[str] = mapped_column(String(8), default="open")
    stage: Mapped[str | None] = mapped_column(String(16))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    priority_need: Mapped[str | None] = mapped_column(String(32))
    priority_reason: Mapped[str | None] = mapped_column(Text)
    priority_service_point_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid),
        default=list,
        server_default=text("'{}'"),
        comment="the assessment's service points (matching's) answering the priority need",
    )
    employment_status: Mapped[str | None] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    open_rights_violations: Mapped[int] = mapped_column(Integer, default=0)
    next_monitoring_due: Mapped[date | None] = mapped_column(Date)
    next_action_due: Mapped[date | None] = mapped_column(Date, comment="earliest due open action")
    plan_version: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = _timestamp()
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(32))
    closing_note: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = _timestamp()
    # Stamped by a trigger on every write of the pathway, its actions and its steps (shared.sync).
    sync_xact: Mapped[int] = mapped_column(
        BigInteger,
        server_default=text(CURRENT_TRANSACTION_ID),
        comment="the last transaction that wrote the row: a sync's commit order",
    )


class Step(Base):
    """One step of the loop as recorded (its body as posted)."""

    __tablename__ = "pathway_step"
    __table_args__ = (Index("ix_pathway_step_pathway", "pathway_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    pathway_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathway.id"))
    cycle: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    recorded_at: Mapped[datetime] = _timestamp()
    recorded_by: Mapped[str] = mapped_column(String(100))
    out_of_turn: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        comment="recorded outside the loop's turn, leaving its stage where it was",
    )


class Action(Base):
    __tablename__ = "pathway_action"
    __table_args__ = (
        Index("ix_pathway_action_pathway", "pathway_id", "created_at"),
        Index(
            "ix_pathway_action_project",
            "project_id",
            postgresql_where=text("project_id IS NOT NULL"),
        ),
        # The ladder report's internships done in a period, over every organisation's actions.
        Index(
            "ix_pathway_action_internship_done",
            "ended_at",
            postgresql_where=text("type = 'internship' AND status = 'done'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    pathway_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathway.id"))
    type: Mapped[str] = mapped_column(String(40))
    need: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    provider_organization_id: Mapped[uuid.UUID | None]
    offer_id: Mapped[uuid.UUID | None]
    service_point_id: Mapped[uuid.UUID | None] = mapped_column(comment="matching's service point")
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    progress: Mapped[str | None] = mapped_column(Text)
    escalation_target: Mapped[str | None] = mapped_column(String(32))
    rights_item: Mapped[str | None] = mapped_column(String(48))
    recognition: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    business: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    ended_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="when it left the open statuses (done, failed, cancelled)"
    )
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("project.id", name="fk_pathway_action_project"),
        comment="the funded project it is carried out under (its participant's)",
    )
    created_in_cycle: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _timestamp()
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = _timestamp()


class PlanVersion(Base):
    """Every version of the plan (the actions after a respond or an adjust), with the reason."""

    __tablename__ = "plan_version"

    pathway_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathway.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = _timestamp()
    created_by: Mapped[str] = mapped_column(String(100))


class RightsViolation(Base):
    __tablename__ = "rights_violation"
    __table_args__ = (
        Index(
            "ix_rights_violation_open", "pathway_id", postgresql_where=text("resolved_at IS NULL")
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    pathway_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathway.id"))
    item: Mapped[str] = mapped_column(String(48))
    forced_labour: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[str | None] = mapped_column(Text)
    action_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    detected_at: Mapped[datetime] = _timestamp()
    detected_in_cycle: Mapped[int] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_in_cycle: Mapped[int | None] = mapped_column(Integer)


class EmploymentChange(Base):
    """The employment ladder over time: each dated status of the person in this pathway, with the
    job entered where recorded (sector, employer, contract, hours)."""

    __tablename__ = "employment_change"
    __table_args__ = (Index("ix_employment_change_pathway", "pathway_id", "effective_on", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    pathway_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathway.id"))
    status: Mapped[str] = mapped_column(String(32))
    effective_on: Mapped[date] = mapped_column(Date)
    sector: Mapped[str | None] = mapped_column(String(1), comment="NACE Rev. 2 section")
    employer_organization_id: Mapped[uuid.UUID | None]
    employer_name: Mapped[str | None] = mapped_column(String(200))
    contract_type: Mapped[str | None] = mapped_column(String(16))
    weekly_hours: Mapped[int | None] = mapped_column(SmallInteger)
    recorded_at: Mapped[datetime] = _timestamp()


class FollowUp(Base):
    """Retention after a placement: due at 3, 6 and 12 months; each records whether the person is
    still in work, the contract, the hours and the pay."""

    __tablename__ = "placement_follow_up"
    __table_args__ = (Index("ix_placement_follow_up_due", "pathway_id", "due_on"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    pathway_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathway.id"))
    months: Mapped[int] = mapped_column(SmallInteger)
    placed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    still_in_work: Mapped[bool | None]
    contract_type: Mapped[str | None] = mapped_column(String(32))
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    monthly_pay: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    notes: Mapped[str | None] = mapped_column(Text)


class TimelineEntry(Base):
    """Every step, change and event of a pathway, in order, with who and when."""

    __tablename__ = "pathway_timeline"
    __table_args__ = (Index("ix_pathway_timeline_pathway", "pathway_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    pathway_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathway.id"))
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = _timestamp()


class Appointment(Base):
    """A meeting with a person: when, where (a service point of matching's or an address), with
    which operator, whether an interpreter or a cultural mediator is needed, and whether it took
    place. Optionally what it serves: a pathway of the booking organisation, a step of its loop,
    an action of its plan. No notes: a short purpose only."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint("(service_point_id IS NULL) <> (address IS NULL)", name="one_place"),
        Index("ix_appointment_start", "start_at", "id"),
        Index("ix_appointment_beneficiary", "beneficiary_id", "start_at"),
        Index("ix_appointment_operator", "operator_id", "start_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID]
    organization_id: Mapped[uuid.UUID] = mapped_column(comment="the organisation that booked it")
    pathway_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pathway.id"))
    step: Mapped[str | None] = mapped_column(String(16), comment="the loop step it serves")
    action_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pathway_action.id"))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_minutes: Mapped[int] = mapped_column(SmallInteger)
    service_point_id: Mapped[uuid.UUID | None] = mapped_column(comment="matching's service point")
    service_point_name: Mapped[str | None] = mapped_column(
        String(200), comment="its name when booked (what the person is shown)"
    )
    address: Mapped[str | None] = mapped_column(String(300))
    operator_id: Mapped[str] = mapped_column(String(100), comment="the operator's user id")
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    cultural_mediator_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(2), comment="ISO 639-1")
    purpose: Mapped[str | None] = mapped_column(String(120))
    attendance: Mapped[str] = mapped_column(String(16), default="scheduled")
    attendance_reason: Mapped[str | None] = mapped_column(String(32))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attendance_recorded_by: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _timestamp()
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = _timestamp()


class Task(Base):
    """A manual task, or what was done to a derived one (done, snoozed, reassigned), kept under
    the derived task's key (kind, source, due date); a derived task nobody touched has no row."""

    __tablename__ = "task"
    __table_args__ = (
        Index("uq_task_key", "kind", "source_id", "due_on", unique=True),
        Index("ix_task_assignee", "organization_id", "assigned_to"),
        Index("ix_task_pathway", "pathway_id"),
        Index("ix_task_beneficiary", "beneficiary_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[uuid.UUID] = mapped_column(
        comment="what the task is about; a manual one's id"
    )
    due_on: Mapped[date] = mapped_column(Date)
    pathway_id: Mapped[uuid.UUID | None]
    beneficiary_id: Mapped[uuid.UUID | None]
    title: Mapped[str | None] = mapped_column(String(200), comment="a manual task's")
    note: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[str | None] = mapped_column(
        String(100), comment="a user id; on a derived task, who it was reassigned to"
    )
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    snooze_reason: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _timestamp()
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = _timestamp()


class Referral(Base):
    """What pathways knows of matching's referrals, from its events: ids and the status, so that
    a referral still waiting for the provider's answer is a task of the referrer's operator."""

    __tablename__ = "referral"
    __table_args__ = (
        Index(
            "ix_referral_waiting", "beneficiary_id", postgresql_where=text("status = 'proposed'")
        ),
        Index("ix_referral_pathway", "pathway_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="matching's referral id")
    beneficiary_id: Mapped[uuid.UUID]
    organization_id: Mapped[uuid.UUID] = mapped_column(comment="the referring organisation")
    pathway_id: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(16))
    proposed_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = _timestamp()


class TaskDueNotice(Base):
    """That a task's ``task.due`` event was written: once per task (kind, source, due date), by
    whichever replica's sweep inserted the row first."""

    __tablename__ = "task_due_notice"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    noticed_at: Mapped[datetime] = _timestamp()
