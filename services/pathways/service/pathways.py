"""Opening, listing, reading, reassigning and closing pathways; the timeline, the employment
ladder and the placement follow-ups that a move into work starts. The steps of the loop are in
``service.steps``."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.clients.gateway import GatewayClient
from services.pathways.db import actions as action_rows
from services.pathways.db import pathways as repository
from services.pathways.db.models import Pathway, outbox
from services.pathways.domain.assignment import assignee_problem
from services.pathways.domain.attention import attention
from services.pathways.domain.employment import (
    EmploymentStatus,
    Outcome,
    follow_up_dates,
    is_placement,
    transitions,
)
from services.pathways.domain.loop import LoopState, allowed_next, out_of_turn
from services.pathways.errors import (
    MayNotOpenPathways,
    NotAnAssignee,
    PathwayAlreadyClosed,
    PathwayNotClosed,
    PersonNotFound,
    RightsViolationsOpen,
)
from services.pathways.schemas.pathway import (
    CloseRequest,
    FollowUpRead,
    FollowUpRecord,
    LadderRead,
    PathwayCreate,
    ReopenRequest,
    TimelineRead,
)
from services.pathways.service.urgency import refresh_urgency
from shared import clock
from shared.auth import Principal, Role
from shared.contracts import pathways as contract
from shared.events import emit
from shared.pagination import Page, page_of

# Closing with these outcomes is itself a move on the employment ladder.
OUTCOME_STATUS = {
    Outcome.FORMAL_EMPLOYMENT: EmploymentStatus.FORMAL_EMPLOYMENT,
    Outcome.SELF_EMPLOYMENT: EmploymentStatus.SELF_EMPLOYED,
}


def state_of(pathway: Pathway) -> LoopState:
    return LoopState(stage=pathway.stage, cycle=pathway.cycle)  # type: ignore[arg-type]


def as_read(pathway: Pathway, permit_expires_on: date | None, today: date) -> dict[str, Any]:
    reasons, late = attention(pathway, permit_expires_on, today)
    return {
        "id": str(pathway.id),
        "beneficiary_id": str(pathway.beneficiary_id),
        "organization_id": str(pathway.organization_id),
        "assigned_to": pathway.assigned_to,
        "status": pathway.status,
        "stage": pathway.stage,
        "cycle": pathway.cycle,
        "allowed_next_steps": [step.value for step in allowed_next(state_of(pathway))]
        if pathway.status == "open"
        else [],
        "steps_out_of_turn": [step.value for step in out_of_turn(state_of(pathway))]
        if pathway.status == "open"
        else [],
        "priority_need": pathway.priority_need,
        "priority_reason": pathway.priority_reason,
        "priority_service_point_ids": [str(i) for i in pathway.priority_service_point_ids or []],
        "employment_status": pathway.employment_status,
        "urgent": pathway.urgent,
        "open_rights_violations": pathway.open_rights_violations,
        "next_monitoring_due": _iso(pathway.next_monitoring_due),
        "next_action_due": _iso(pathway.next_action_due),
        "plan_version": pathway.plan_version,
        "opened_at": pathway.opened_at.isoformat(),
        "closed_at": _iso(pathway.closed_at),
        "outcome": pathway.outcome,
        "attention": [reason.value for reason in reasons],
        "days_overdue": late,
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def read(session: AsyncSession, pathway: Pathway) -> dict[str, Any]:
    """The pathway as the API shows it, with what needs attention today."""
    person = await repository.person(session, pathway.beneficiary_id)
    permit = person.permit_expires_on if person else None
    return as_read(pathway, permit, clock.now().date())


async def publish(session: AsyncSession, event_type: str, payload: contract.PathwayEvent) -> None:
    await emit(session, outbox, event_type, payload, source="pathways")


def identity(pathway: Pathway) -> dict[str, uuid.UUID]:
    return {
        "pathway_id": pathway.id,
        "beneficiary_id": pathway.beneficiary_id,
        "organization_id": pathway.organization_id,
    }


async def check_assignee(
    gateway: GatewayClient, organization_id: uuid.UUID, assigned_to: str
) -> None:
    """422 unless ``assigned_to`` is an active operator (or org admin) of the organisation, as the
    gateway, which owns users, knows them now; 503 when it cannot tell."""
    try:
        user_id = uuid.UUID(assigned_to)
    except ValueError:
        staff = None  # no user has such an id
    else:
        staff = await gateway.staff(organization_id, user_id)
    problem = assignee_problem(staff)
    if problem is not None:
        raise NotAnAssignee("assigned_to", problem)


async def open_pathway(
    session: AsyncSession, principal: Principal, body: PathwayCreate, gateway: GatewayClient
) -> Pathway:
    if not principal.works_on_cases:
        raise MayNotOpenPathways()
    moment = clock.now()
    if not await repository.may_see_person(session, principal, body.beneficiary_id, moment):
        raise PersonNotFound()
    pathway = Pathway(
        id=uuid.uuid4(),
        beneficiary_id=body.beneficiary_id,
        organization_id=principal.organization_id,
        assigned_to=body.assigned_to or principal.subject,
        status="open",
        cycle=0,
        opened_by=principal.subject,
        opened_at=moment,
        updated_at=moment,
    )
    if body.assigned_to is not None and body.assigned_to != principal.subject:
        await check_assignee(gateway, pathway.organization_id, body.assigned_to)
    await repository.add(session, pathway)
    repository.note(session, pathway, "opened", principal.subject, assigned_to=pathway.assigned_to)
    await publish(session, contract.OPENED, contract.PathwayEvent(**identity(pathway)))
    return pathway


async def list_pathways(
    session: AsyncSession,
    principal: Principal,
    only: repository.CaseloadFilter,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """A page of the pathways the caller may see, most urgent first (``assigned_to="me"`` is the
    caller)."""
    if only.assigned_to == "me":
        only = replace(only, assigned_to=principal.subject)
    moment = clock.now()
    rows, next_cursor = await repository.caseload_page(
        session, principal, moment, only, limit, cursor
    )
    today = moment.date()
    return {"items": [as_read(row[0], row[1], today) for row in rows], "next_cursor": next_cursor}


async def reassign(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    assigned_to: str,
    gateway: GatewayClient,
) -> None:
    """Only to an active operator of the organisation running the pathway (422 otherwise, and
    nothing changes)."""
    if pathway.assigned_to == assigned_to:
        return
    await check_assignee(gateway, pathway.organization_id, assigned_to)
    repository.note(
        session,
        pathway,
        "reassigned",
        principal.subject,
        previous=pathway.assigned_to,
        assigned_to=assigned_to,
    )
    pathway.assigned_to = assigned_to
    pathway.version += 1
    pathway.updated_at = clock.now()


async def record_employment(
    session: AsyncSession,
    pathway: Pathway,
    status: EmploymentStatus,
    on: date,
    actor: str,
    job: dict[str, Any] | None = None,
) -> bool:
    """Add a rung to the pathway's employment ladder, with the job it enters (nothing when the
    status is unchanged); entering work schedules the 3, 6 and 12-month follow-ups. True when it
    was a placement."""
    old = EmploymentStatus(pathway.employment_status) if pathway.employment_status else None
    if old == status:
        return False
    repository.add_employment_change(session, pathway, status.value, on, job)
    pathway.employment_status = status.value
    repository.note(
        session,
        pathway,
        "employment_status",
        actor,
        previous=old.value if old else None,
        status=status.value,
        on=on.isoformat(),
    )
    placed = is_placement(old, status)
    if placed:
        for months, due in follow_up_dates(on):
            repository.add_follow_up(session, pathway, months, on, due)
    return placed


async def refresh_action_due(session: AsyncSession, pathway: Pathway) -> None:
    pathway.next_action_due = await action_rows.next_due(session, pathway.id)


async def close(
    session: AsyncSession, principal: Principal, pathway: Pathway, body: CloseRequest
) -> None:
    if pathway.status != "open":
        raise PathwayAlreadyClosed()
    if pathway.open_rights_violations:
        if body.override_reason is None or not principal.acts_as(Role.ORG_ADMIN):
            raise RightsViolationsOpen(pathway.open_rights_violations)
        pathway.override_reason = body.override_reason
    moment = clock.now()
    status = OUTCOME_STATUS.get(body.outcome)
    if status is not None:
        await record_employment(session, pathway, status, moment.date(), principal.subject)
    pathway.status = "closed"
    pathway.outcome = body.outcome.value
    pathway.closing_note = body.note
    pathway.closed_at = moment
    pathway.closed_by = principal.subject
    pathway.version += 1
    pathway.updated_at = moment
    repository.note(
        session,
        pathway,
        "closed",
        principal.subject,
        outcome=body.outcome.value,
        overridden=body.override_reason is not None and pathway.open_rights_violations > 0,
    )
    await publish(
        session,
        contract.CLOSED,
        contract.PathwayClosed(**identity(pathway), outcome=body.outcome.value),
    )


async def reopen(
    session: AsyncSession, principal: Principal, pathway: Pathway, body: ReopenRequest
) -> None:
    """A closed pathway opens again where it stood: its stage, cycle, plan, violations and
    employment ladder carry on, and the timeline keeps the close (what it said moves into the
    reopening's entry, with the reason). 409 when it is open, or when the organisation has
    opened another for the person since (one open per person and organisation)."""
    if pathway.status != "closed":
        raise PathwayNotClosed()
    moment = clock.now()
    repository.note(
        session,
        pathway,
        "reopened",
        principal.subject,
        reason=body.reason,
        previous_outcome=pathway.outcome,
        closed_at=_iso(pathway.closed_at),
        closing_note=pathway.closing_note,
        override_reason=pathway.override_reason,
    )
    pathway.status = "open"
    pathway.outcome = None
    pathway.closing_note = pathway.override_reason = None
    pathway.closed_at = None
    pathway.closed_by = None
    pathway.version += 1
    pathway.updated_at = moment
    await refresh_urgency(session, pathway)  # intake's indicators may have changed meanwhile
    await repository.reopened(session)
    await publish(
        session,
        contract.REOPENED,
        contract.PathwayReopened(**identity(pathway), stage=pathway.stage, cycle=pathway.cycle),
    )


async def timeline(
    session: AsyncSession, pathway: Pathway, limit: int, cursor: str | None
) -> Page[TimelineRead]:
    rows = await repository.timeline(session, pathway.id, limit, cursor)
    return page_of(rows, limit, lambda row: (row.id,), TimelineRead.model_validate)


async def employment(session: AsyncSession, pathway: Pathway) -> LadderRead:
    rows = await repository.employment_changes(session, pathway.id)
    history = [(row.effective_on, EmploymentStatus(row.status)) for row in rows]
    moves = transitions(history)
    return LadderRead(
        statuses=[
            {"status": row.status, "on": row.effective_on.isoformat(), **_job(row)} for row in rows
        ],
        transitions=[
            {
                "from_status": move.from_status,
                "to_status": move.to_status,
                "on": move.on,
                "upward": move.upward,
            }  # type: ignore[misc]
            for move in moves
        ],
    )


def _job(row: Any) -> dict[str, Any]:
    """The job a status entered, where recorded."""
    job = {
        "sector": row.sector,
        "employer_organization_id": str(row.employer_organization_id)
        if row.employer_organization_id
        else None,
        "employer_name": row.employer_name,
        "contract_type": row.contract_type,
        "weekly_hours": row.weekly_hours,
    }
    return {"job": job} if any(value is not None for value in job.values()) else {}


async def follow_ups(session: AsyncSession, pathway: Pathway) -> list[FollowUpRead]:
    rows = await repository.follow_ups(session, pathway.id)
    return [FollowUpRead.model_validate(row) for row in rows]


async def record_follow_up(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    follow_up_id: uuid.UUID,
    body: FollowUpRecord,
) -> FollowUpRead:
    row = await repository.follow_up_locked(session, pathway, follow_up_id)
    for field, value in body.model_dump().items():
        setattr(row, field, value.value if hasattr(value, "value") else value)
    row.recorded_at = clock.now()
    row.recorded_by = principal.subject
    repository.note(
        session,
        pathway,
        "follow_up",
        principal.subject,
        months=row.months,
        still_in_work=body.still_in_work,
    )
    await session.flush()
    return FollowUpRead.model_validate(row)


async def visible(session: AsyncSession, principal: Principal, pathway_id: uuid.UUID) -> Pathway:
    """The pathway the caller may see, or 404."""
    return await repository.get_visible(session, principal, pathway_id, clock.now())


async def workable(
    session: AsyncSession,
    principal: Principal,
    pathway_id: uuid.UUID,
    moment: datetime | None = None,
) -> Pathway:
    """The pathway, locked, for its own organisation to work on: 404 if unseen, 403 if another's
    (access as at ``moment``, now by default)."""
    return await repository.get_for_work(session, principal, pathway_id, moment or clock.now())
