"""Opening, reading, reassigning and closing pathways; the employment ladder and the placement
follow-ups that a move into work starts. The steps of the loop are in ``recording``."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import repository
from services.pathways.db.models import Action, EmploymentChange, FollowUp, Pathway, Person, outbox
from services.pathways.domain.actions import OPEN_STATUSES
from services.pathways.domain.employment import EmploymentStatus, follow_up_dates, is_placement
from services.pathways.domain.loop import LoopState, allowed_next
from services.pathways.schemas.pathway import Attention, CloseRequest, Outcome, PathwayCreate
from shared.auth import Principal, Role
from shared.contracts import pathways as contract
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import emit

PERMIT_WARNING_DAYS = 60
# Closing with these outcomes is itself a move on the employment ladder.
OUTCOME_STATUS = {
    Outcome.FORMAL_EMPLOYMENT: EmploymentStatus.FORMAL_EMPLOYMENT,
    Outcome.SELF_EMPLOYMENT: EmploymentStatus.SELF_EMPLOYED,
}


def now() -> datetime:
    return datetime.now(UTC)


def state_of(pathway: Pathway) -> LoopState:
    return LoopState(stage=pathway.stage, cycle=pathway.cycle)  # type: ignore[arg-type]


def attention(
    pathway: Pathway, permit_expires_on: date | None, today: date
) -> tuple[list[Attention], int]:
    """Why an open pathway needs someone today, and by how many days it is late."""
    if pathway.status != "open":
        return [], 0
    reasons: list[Attention] = []
    late = 0
    if pathway.urgent:
        reasons.append(Attention.URGENT)
    if pathway.open_rights_violations:
        reasons.append(Attention.RIGHTS_VIOLATIONS_OPEN)
    if pathway.next_monitoring_due is not None and pathway.next_monitoring_due < today:
        reasons.append(Attention.FOLLOW_UP_OVERDUE)
        late = max(late, (today - pathway.next_monitoring_due).days)
    if pathway.next_action_due is not None and pathway.next_action_due < today:
        reasons.append(Attention.ACTIONS_OVERDUE)
        late = max(late, (today - pathway.next_action_due).days)
    if permit_expires_on is not None and permit_expires_on <= today + timedelta(
        days=PERMIT_WARNING_DAYS
    ):
        reasons.append(Attention.PERMIT_EXPIRING)
    return reasons, late


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
        "priority_need": pathway.priority_need,
        "priority_reason": pathway.priority_reason,
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


async def publish(session: AsyncSession, event_type: str, payload: contract.PathwayEvent) -> None:
    await emit(session, outbox, event_type, payload, source="pathways")


def identity(pathway: Pathway) -> dict[str, uuid.UUID]:
    return {
        "pathway_id": pathway.id,
        "beneficiary_id": pathway.beneficiary_id,
        "organization_id": pathway.organization_id,
    }


async def open_pathway(session: AsyncSession, principal: Principal, body: PathwayCreate) -> Pathway:
    if not principal.works_on_cases:
        raise Forbidden("Your role does not open pathways.")
    moment = now()
    if not await repository.may_see_person(session, principal, body.beneficiary_id, moment):
        raise NotFound("No such person.")
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
    session.add(pathway)
    try:
        await session.flush()
    except IntegrityError as error:
        raise Conflict("Your organisation already has an open pathway for this person.") from error
    repository.note(session, pathway, "opened", principal.subject, assigned_to=pathway.assigned_to)
    await publish(session, contract.OPENED, contract.PathwayEvent(**identity(pathway)))
    return pathway


async def permit_expiry(session: AsyncSession, beneficiary_id: uuid.UUID) -> date | None:
    person = await session.get(Person, beneficiary_id)
    return person.permit_expires_on if person else None


async def reassign(
    session: AsyncSession, principal: Principal, pathway: Pathway, assigned_to: str
) -> None:
    if pathway.assigned_to == assigned_to:
        return
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
    pathway.updated_at = now()


async def record_employment(
    session: AsyncSession, pathway: Pathway, status: EmploymentStatus, on: date, actor: str
) -> bool:
    """Add a rung to the pathway's employment ladder (nothing when the status is unchanged);
    entering work schedules the 3, 6 and 12-month follow-ups. True when it was a placement."""
    old = EmploymentStatus(pathway.employment_status) if pathway.employment_status else None
    if old == status:
        return False
    session.add(EmploymentChange(pathway_id=pathway.id, status=status.value, effective_on=on))
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
            session.add(FollowUp(pathway_id=pathway.id, months=months, placed_on=on, due_on=due))
    return placed


async def refresh_action_due(session: AsyncSession, pathway: Pathway) -> None:
    await session.flush()
    pathway.next_action_due = await session.scalar(
        select(Action.due_date)
        .where(
            Action.pathway_id == pathway.id,
            Action.status.in_([s.value for s in OPEN_STATUSES]),
            Action.due_date.is_not(None),
        )
        .order_by(Action.due_date)
        .limit(1)
    )


async def close(
    session: AsyncSession, principal: Principal, pathway: Pathway, body: CloseRequest
) -> None:
    if pathway.status != "open":
        raise Conflict("The pathway is already closed.")
    if pathway.open_rights_violations:
        if body.override_reason is None or not principal.acts_as(Role.ORG_ADMIN):
            raise Conflict(
                f"{pathway.open_rights_violations} rights violation(s) are still open: resolve "
                "them in a rights check, or an org admin closes with override_reason.",
                open_rights_violations=pathway.open_rights_violations,
            )
        pathway.override_reason = body.override_reason
    moment = now()
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
