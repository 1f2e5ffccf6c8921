"""Where tasks come from: one query per kind of derived task, over the pathways the caller's
organisation runs and may still see, or over the copies pathways keeps of the other services'
records (referrals, documents, transfers); and the manual tasks, ``task`` rows themselves.
``db.tasks`` joins them with what was done to each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Date,
    Select,
    String,
    Uuid,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union,
)

from services.pathways.db.copy_models import PersonDocument, TransferRequest
from services.pathways.db.models import (
    Action,
    FollowUp,
    Pathway,
    Person,
    Referral,
    Task,
    beneficiary_access,
    beneficiary_grant,
)
from services.pathways.db.pathways import person_visible
from services.pathways.domain.actions import OPEN_STATUSES, ActionType
from services.pathways.domain.tasks import (
    LEAD_DAYS,
    REFERRAL_ANSWER_DAYS,
    TaskKey,
    TaskKind,
    TaskStatus,
)
from shared.access_mirror import visible_condition
from shared.auth import Principal

_OPEN_ACTION = [status.value for status in OPEN_STATUSES]


@dataclass(frozen=True)
class TaskFilter:
    assigned_to: str | None = None  # a user id; None: the whole organisation
    kind: TaskKind | None = None
    due_before: date | None = None
    status: TaskStatus | None = TaskStatus.OPEN
    key: TaskKey | None = None  # one task (read, change)
    entered_since: date | None = None  # open tasks that entered the list on or after this day
    beneficiary_id: uuid.UUID | None = None  # one person's (a case screen)


def _part(
    kind: TaskKind | ColumnElement[str],
    source_id: Any,
    due_on: Any,
    pathway: Any,
    *,
    title: Any = None,
    detail: Any = None,
) -> Select[Any]:
    lead = LEAD_DAYS.get(kind, 0) if isinstance(kind, TaskKind) else 0
    kind_column = literal(kind.value, String(32)) if isinstance(kind, TaskKind) else kind
    return select(
        kind_column.label("kind"),
        source_id.label("source_id"),
        due_on.label("due_on"),
        (due_on - lead if lead else due_on).label("starts_on"),
        pathway.c.id.label("pathway_id"),
        pathway.c.beneficiary_id.label("beneficiary_id"),
        pathway.c.assigned_to.label("default_assignee"),
        (title if title is not None else cast(null(), String)).label("title"),
        (detail if detail is not None else cast(null(), String)).label("detail"),
    )


def _pathways(principal: Principal, moment: datetime, only: TaskFilter) -> CTE:
    """The pathways the caller's organisation runs and may see; for one assignee's list, only
    those assigned to them or with a task reassigned to them."""
    statement = select(
        Pathway.id,
        Pathway.beneficiary_id,
        Pathway.assigned_to,
        Pathway.status,
        Pathway.next_monitoring_due,
    ).where(
        Pathway.organization_id == principal.organization_id,
        person_visible(principal, Pathway.beneficiary_id, moment),
    )
    if only.assigned_to is not None:
        # One index range each (the caseload index, the tasks' assignee index), not an OR.
        mine: CompoundSelect[Any] = union(
            select(Pathway.id).where(Pathway.assigned_to == only.assigned_to),
            select(Task.pathway_id).where(
                Task.organization_id == principal.organization_id,
                Task.assigned_to == only.assigned_to,
                Task.pathway_id.is_not(None),
            ),
        )
        statement = statement.where(Pathway.id.in_(mine))
    if only.beneficiary_id is not None:
        statement = statement.where(Pathway.beneficiary_id == only.beneficiary_id)
    per_pathway = (TaskKind.MONITORING_DUE, TaskKind.PERMIT_EXPIRING)
    if only.key is not None and only.key.kind in per_pathway:
        statement = statement.where(Pathway.id == only.key.source_id)
    return statement.cte("visible_pathway")


def derived(principal: Principal, moment: datetime, only: TaskFilter) -> list[Select[Any]]:
    p = _pathways(principal, moment, only)
    is_open = p.c.status == "open"
    wanted = only.key.kind if only.key is not None else only.kind
    parts: dict[TaskKind, Select[Any]] = {}
    # One scan of the actions for both kinds: an escalation of a rights violation, or any other.
    escalation = Action.escalation_target.is_not(None)
    action_kind = case(
        (escalation, TaskKind.RIGHTS_ESCALATION.value), else_=TaskKind.ACTION_DUE.value
    )
    actions = (
        _part(
            action_kind,
            Action.id,
            Action.due_date,
            p,
            title=Action.title,
            detail=func.coalesce(Action.escalation_target, Action.type),
        )
        .join(p, p.c.id == Action.pathway_id)
        .where(is_open, Action.status.in_(_OPEN_ACTION), Action.due_date.is_not(None))
    )
    if wanted == TaskKind.ACTION_DUE:
        actions = actions.where(~escalation)
    elif wanted == TaskKind.RIGHTS_ESCALATION:
        actions = actions.where(escalation)
    parts[TaskKind.ACTION_DUE] = parts[TaskKind.RIGHTS_ESCALATION] = actions
    parts[TaskKind.MONITORING_DUE] = _part(
        TaskKind.MONITORING_DUE, p.c.id, p.c.next_monitoring_due, p
    ).where(is_open, p.c.next_monitoring_due.is_not(None))
    # Retention after a placement is followed on closed pathways too: a placement often closes one.
    parts[TaskKind.PLACEMENT_FOLLOW_UP] = (
        _part(
            TaskKind.PLACEMENT_FOLLOW_UP,
            FollowUp.id,
            FollowUp.due_on,
            p,
            detail=cast(FollowUp.months, String),
        )
        .join(p, p.c.id == FollowUp.pathway_id)
        .where(FollowUp.recorded_at.is_(None))
    )
    parts[TaskKind.PERMIT_EXPIRING] = (
        _part(TaskKind.PERMIT_EXPIRING, p.c.id, Person.permit_expires_on, p)
        .join(p, p.c.beneficiary_id == Person.beneficiary_id)
        .where(is_open, Person.permit_expires_on.is_not(None))
    )
    # A referral the provider has not answered: the referrer's, on the pathway it names or the
    # person's open pathway.
    parts[TaskKind.REFERRAL_WAITING] = (
        _part(
            TaskKind.REFERRAL_WAITING,
            Referral.id,
            Referral.proposed_on + REFERRAL_ANSWER_DAYS,
            p,
        )
        .join(
            p,
            or_(
                p.c.id == Referral.pathway_id,
                and_(
                    Referral.pathway_id.is_(None),
                    p.c.beneficiary_id == Referral.beneficiary_id,
                    is_open,
                ),
            ),
        )
        .where(
            Referral.status == "proposed",
            Referral.organization_id == principal.organization_id,
        )
    )
    # A document about to expire (a permit's renewal, a contract's end), where the organisation
    # may see the section it is in; a permit the record already dates is the permit's own task.
    document_visible = visible_condition(
        beneficiary_access,
        beneficiary_grant,
        PersonDocument.beneficiary_id,
        principal,
        PersonDocument.section,
        moment,
    )
    permit_already_dated = exists().where(
        Person.beneficiary_id == PersonDocument.beneficiary_id,
        PersonDocument.kind == "permit",
        Person.permit_expires_on == PersonDocument.expires_on,
    )
    parts[TaskKind.DOCUMENT_EXPIRING] = (
        _part(
            TaskKind.DOCUMENT_EXPIRING,
            PersonDocument.id,
            PersonDocument.expires_on,
            p,
            detail=PersonDocument.kind,
        )
        .join(p, p.c.beneficiary_id == PersonDocument.beneficiary_id)
        .where(
            is_open,
            ~PersonDocument.deleted,
            PersonDocument.expires_on.is_not(None),
            document_visible,
            ~permit_already_dated,
        )
    )
    parts[TaskKind.TRANSFER_TO_ACCEPT] = _transfers_to_accept(principal, only)
    # A recognition whose decision is later than the authority said: from the expected day.
    recognition = Action.recognition
    parts[TaskKind.RECOGNITION_OVERDUE] = (
        _part(
            TaskKind.RECOGNITION_OVERDUE,
            Action.id,
            cast(recognition["expected_decision_on"].astext, Date),
            p,
            title=Action.title,
            detail=recognition["authority"].astext,
        )
        .join(p, p.c.id == Action.pathway_id)
        .where(
            is_open,
            Action.type == ActionType.QUALIFICATION_RECOGNITION.value,
            Action.status.in_(_OPEN_ACTION),
            recognition["expected_decision_on"].astext.is_not(None),
            recognition["decision"].astext.is_(None),
        )
    )
    if wanted is None:
        return list({id(part): part for part in parts.values()}.values())
    return [parts[wanted]] if wanted in parts else []


def _transfers_to_accept(principal: Principal, only: TaskFilter) -> Select[Any]:
    """A case another organisation asks to move to the caller's: a task of the organisation (no
    pathway of its own yet, nobody holds it until someone is given it), from the day it was
    asked. The receiver sees the request, not the record, until it accepts (intake's rule)."""
    statement = select(
        literal(TaskKind.TRANSFER_TO_ACCEPT.value, String(32)).label("kind"),
        TransferRequest.id.label("source_id"),
        TransferRequest.requested_on.label("due_on"),
        TransferRequest.requested_on.label("starts_on"),
        cast(null(), Uuid).label("pathway_id"),
        TransferRequest.beneficiary_id.label("beneficiary_id"),
        cast(null(), String).label("default_assignee"),
        cast(null(), String).label("title"),
        cast(TransferRequest.from_organization_id, String).label("detail"),
    ).where(
        TransferRequest.to_organization_id == principal.organization_id,
        TransferRequest.status == "pending",
    )
    if only.beneficiary_id is not None:
        statement = statement.where(TransferRequest.beneficiary_id == only.beneficiary_id)
    return statement


def manual(principal: Principal, moment: datetime, only: TaskFilter) -> Select[Any]:
    """Manual tasks of the caller's organisation, about no one or about someone it may see."""
    columns: list[Any] = [
        literal(TaskKind.MANUAL.value, String(32)).label("kind"),
        Task.source_id.label("source_id"),
        Task.due_on.label("due_on"),
        Task.due_on.label("starts_on"),
        Task.pathway_id.label("pathway_id"),
        Task.beneficiary_id.label("beneficiary_id"),
        Task.assigned_to.label("default_assignee"),
        Task.title.label("title"),
        cast(null(), String).label("detail"),
    ]
    statement = select(*columns).where(
        Task.kind == TaskKind.MANUAL.value,
        Task.organization_id == principal.organization_id,
        or_(
            Task.beneficiary_id.is_(None),
            person_visible(principal, Task.beneficiary_id, moment),
        ),
    )
    if only.assigned_to is not None:
        statement = statement.where(Task.assigned_to == only.assigned_to)
    if only.beneficiary_id is not None:
        statement = statement.where(Task.beneficiary_id == only.beneficiary_id)
    return statement
