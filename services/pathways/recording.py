"""The steps of the loop: each is checked against the state machine (409 with the allowed next
steps otherwise), applied with its effects (priority need, actions and plan versions, follow-up
dates, the employment ladder, rights violations and their escalations) and recorded, under a lock
on the pathway so that two operators posting at once take turns."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways import casework
from services.pathways.casework import identity, now, publish, record_employment, refresh_action_due
from services.pathways.db import repository
from services.pathways.db.models import Action, Pathway, PlanVersion, RightsViolation, Step
from services.pathways.domain.actions import (
    ESCALATION_TITLES,
    OPEN_STATUSES,
    ActionStatus,
    ActionType,
    check_transition,
)
from services.pathways.domain.loop import Step as Kind
from services.pathways.domain.loop import StepOutOfOrder, advance, allowed_next
from services.pathways.domain.needs import AssessedNeed, check_needs, propose_priority
from services.pathways.domain.rights import check_answers, evaluate, resolves
from services.pathways.schemas.steps import (
    ActionCreate,
    AdjustmentCreate,
    AssessmentCreate,
    MonitoringCreate,
    Recognition,
    RespondCreate,
    RightsCheckCreate,
)
from shared.auth import Principal
from shared.contracts import pathways as contract
from shared.errors import Conflict, FieldError, UnprocessableContent

MONITORING_INTERVAL = timedelta(days=30)
Effect = Callable[[AsyncSession, Principal, Pathway, Any, date], Awaitable[dict[str, Any]]]


def invalid(field: str, message: str) -> UnprocessableContent:
    return UnprocessableContent(
        message, errors=[FieldError(field=f"body.{field}", message=message, code="invalid")]
    )


async def record(
    session: AsyncSession, principal: Principal, pathway_id: uuid.UUID, kind: Kind, body: BaseModel
) -> tuple[Step, dict[str, Any]]:
    moment = now()
    pathway = await repository.get_for_work(session, principal, pathway_id, moment)
    if pathway.status != "open":
        raise Conflict("The pathway is closed.", allowed_next_steps=[])
    try:
        state = advance(casework.state_of(pathway), kind)
    except StepOutOfOrder as refused:
        raise Conflict(
            str(refused), allowed_next_steps=[step.value for step in refused.allowed]
        ) from None
    pathway.stage, pathway.cycle = state.stage.value if state.stage else None, state.cycle
    result = await EFFECTS[kind](session, principal, pathway, body, moment.date())
    step = Step(
        pathway_id=pathway.id,
        cycle=state.cycle,
        kind=kind.value,
        body=body.model_dump(mode="json"),
        recorded_by=principal.subject,
        recorded_at=moment,
    )
    session.add(step)
    pathway.version += 1
    pathway.updated_at = moment
    await session.flush()
    repository.note(
        session,
        pathway,
        f"step:{kind.value}",
        principal.subject,
        step_id=step.id,
        cycle=state.cycle,
        **_brief(result),
    )
    await publish(
        session,
        contract.STEP_RECORDED,
        contract.StepRecorded(
            **identity(pathway),
            step=kind.value,
            cycle=state.cycle,
            priority_need=pathway.priority_need if kind == Kind.ASSESS else None,
        ),
    )
    result["allowed_next_steps"] = [next_step.value for next_step in allowed_next(state)]
    return step, result


def _brief(result: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in result.items()
        if key in ("priority_need", "violations", "actions_added", "resolved")
    }


async def assess(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    body: AssessmentCreate,
    today: date,
) -> dict[str, Any]:
    needs = [
        AssessedNeed(need.domain, need.severity, tuple(need.conditions)) for need in body.needs
    ]
    problems = check_needs(needs)
    if problems:
        raise UnprocessableContent(
            "The needs do not hold together; see errors.",
            errors=[
                FieldError(field="body.needs", message=problem, code="invalid")
                for problem in problems
            ],
        )
    proposal = propose_priority(needs)
    if body.priority_need is None:
        chosen, reason = proposal.domain, proposal.reason
    else:
        if body.priority_need.domain not in {need.domain for need in needs}:
            raise invalid("priority_need.domain", "is not one of the needs assessed")
        chosen = body.priority_need.domain
        reason = (
            f"chosen by the operator: {body.priority_need.reason} (proposed: {proposal.domain})"
        )
    pathway.priority_need, pathway.priority_reason = chosen, reason
    await record_employment(session, pathway, body.labour_market_position, today, principal.subject)
    if pathway.next_monitoring_due is None:
        pathway.next_monitoring_due = today + MONITORING_INTERVAL
    return {
        "proposal": {
            "domain": proposal.domain,
            "reason": proposal.reason,
            "ranking": proposal.ranking,
        },
        "priority_need": chosen,
        "priority_reason": reason,
    }


async def _add_actions(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    actions: list[ActionCreate],
    today: date,
) -> list[Action]:
    added = []
    for index, item in enumerate(actions):
        if item.due_date is not None and item.due_date < today - timedelta(days=1):
            raise invalid(f"actions.{index}.due_date", "is in the past")
        recognition = item.recognition
        if item.type == ActionType.QUALIFICATION_RECOGNITION and recognition is None:
            recognition = Recognition()  # its steps are dated as they happen (PATCH)
        action = Action(
            id=uuid.uuid4(),
            pathway_id=pathway.id,
            type=item.type.value,
            title=item.title,
            need=item.need,
            provider_organization_id=item.provider_organization_id,
            offer_id=item.offer_id,
            due_date=item.due_date,
            status=item.status,
            recognition=recognition.model_dump(mode="json") if recognition else None,
            created_in_cycle=pathway.cycle,
            created_by=principal.subject,
        )
        session.add(action)
        added.append(action)
    return added


async def _snapshot(
    session: AsyncSession, principal: Principal, pathway: Pathway, reason: str | None
) -> None:
    """Keep this version of the plan: every action and its state, with why it changed."""
    await session.flush()
    actions = (
        await session.scalars(
            select(Action)
            .where(Action.pathway_id == pathway.id)
            .order_by(Action.created_at, Action.id)
        )
    ).all()
    pathway.plan_version += 1
    session.add(
        PlanVersion(
            pathway_id=pathway.id,
            version=pathway.plan_version,
            reason=reason,
            created_by=principal.subject,
            actions=[
                {
                    "id": str(a.id),
                    "type": a.type,
                    "title": a.title,
                    "status": a.status,
                    "due_date": a.due_date.isoformat() if a.due_date else None,
                }
                for a in actions
            ],
        )
    )
    await refresh_action_due(session, pathway)


async def respond(
    session: AsyncSession, principal: Principal, pathway: Pathway, body: RespondCreate, today: date
) -> dict[str, Any]:
    added = await _add_actions(session, principal, pathway, body.actions, today)
    await _snapshot(session, principal, pathway, "respond")
    return {
        "actions_added": [str(action.id) for action in added],
        "plan_version": pathway.plan_version,
    }


async def _open_action(
    session: AsyncSession, pathway: Pathway, action_id: uuid.UUID, field: str
) -> Action:
    action = await session.get(Action, action_id, with_for_update=True)
    if action is None or action.pathway_id != pathway.id:
        raise invalid(field, "is not an action of this pathway")
    return action


async def monitor(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    body: MonitoringCreate,
    today: date,
) -> dict[str, Any]:
    held_on = body.date or today
    if held_on > today:
        raise invalid("date", "is in the future")
    for index, item in enumerate(body.progress):
        action = await _open_action(session, pathway, item.action_id, f"progress.{index}.action_id")
        if item.status is not None:
            problem = check_transition(ActionStatus(action.status), item.status)
            if problem:
                raise invalid(f"progress.{index}.status", problem)
            action.status = item.status.value
        if item.note is not None:
            action.progress = item.note
        action.version += 1
        action.updated_at = casework.now()
    placed = False
    if body.employment_status is not None:
        placed = await record_employment(
            session, pathway, body.employment_status, held_on, principal.subject
        )
    next_due = body.next_follow_up or held_on + MONITORING_INTERVAL
    if next_due <= held_on:
        raise invalid("next_follow_up", "must come after the follow-up")
    pathway.next_monitoring_due = next_due
    await refresh_action_due(session, pathway)
    return {"next_monitoring_due": next_due.isoformat(), "placement_follow_ups_scheduled": placed}


async def adjust(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    body: AdjustmentCreate,
    today: date,
) -> dict[str, Any]:
    if not (body.cancel or body.add or body.reschedule):
        raise invalid("cancel", "an adjustment cancels, adds or reschedules at least one action")
    for index, action_id in enumerate(body.cancel):
        action = await _open_action(session, pathway, action_id, f"cancel.{index}")
        if ActionStatus(action.status) not in OPEN_STATUSES:
            raise invalid(f"cancel.{index}", f"is already {action.status}")
        action.status = ActionStatus.CANCELLED.value
        action.version += 1
    for index, change in enumerate(body.reschedule):
        action = await _open_action(
            session, pathway, change.action_id, f"reschedule.{index}.action_id"
        )
        if ActionStatus(action.status) not in OPEN_STATUSES:
            raise invalid(f"reschedule.{index}.action_id", f"is already {action.status}")
        action.due_date = change.due_date
        action.version += 1
    added = await _add_actions(session, principal, pathway, body.add, today)
    await _snapshot(session, principal, pathway, body.reason)
    return {
        "actions_added": [str(action.id) for action in added],
        "plan_version": pathway.plan_version,
    }


async def verify_rights(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    body: RightsCheckCreate,
    today: date,
) -> dict[str, Any]:
    problems = check_answers(body.answers)
    if problems:
        raise UnprocessableContent(
            "The checklist is incomplete or inconsistent; see errors.",
            errors=[
                FieldError(field="body.answers", message=problem, code="invalid")
                for problem in problems
            ],
        )
    unknown_evidence = sorted(set(body.evidence) - set(body.answers))
    if unknown_evidence:
        raise invalid(
            "evidence", f"names items not in the checklist: {', '.join(unknown_evidence)}"
        )
    result = evaluate(body.answers)
    open_rows = (
        await session.scalars(
            select(RightsViolation).where(
                RightsViolation.pathway_id == pathway.id, RightsViolation.resolved_at.is_(None)
            )
        )
    ).all()
    moment = now()
    resolved_items = resolves([row.item for row in open_rows], body.answers)
    for row in open_rows:
        if row.item in resolved_items:
            row.resolved_at = moment
            row.resolved_in_cycle = pathway.cycle
    still_open = {row.item for row in open_rows if row.item not in resolved_items}
    detected = []
    for violation in result.violations:
        if violation.item in still_open:
            continue  # already open: its escalation is under way
        escalations = [
            Action(
                id=uuid.uuid4(),
                pathway_id=pathway.id,
                type=ActionType.ESCALATION.value,
                title=f"{ESCALATION_TITLES[target]}: {violation.item.replace('_', ' ')}",
                escalation_target=target.value,
                rights_item=violation.item,
                due_date=today + timedelta(days=1 if violation.forced_labour else 7),
                status=ActionStatus.PLANNED.value,
                created_in_cycle=pathway.cycle,
                created_by=principal.subject,
            )
            for target in violation.targets
        ]
        session.add_all(escalations)
        row = RightsViolation(
            id=uuid.uuid4(),
            pathway_id=pathway.id,
            item=violation.item,
            forced_labour=violation.forced_labour,
            evidence=body.evidence.get(violation.item),
            action_ids=[str(action.id) for action in escalations],
            detected_in_cycle=pathway.cycle,
        )
        session.add(row)
        detected.append(row)
    await session.flush()
    remaining = (
        await session.scalars(
            select(RightsViolation).where(
                RightsViolation.pathway_id == pathway.id, RightsViolation.resolved_at.is_(None)
            )
        )
    ).all()
    pathway.open_rights_violations = len(remaining)
    pathway.urgent = any(row.forced_labour for row in remaining)
    if detected:
        await _snapshot(session, principal, pathway, "escalation of rights violations")
    for row in detected:
        await publish(
            session,
            contract.VIOLATION_DETECTED,
            contract.ViolationDetected(
                **identity(pathway),
                violation_id=row.id,
                item=row.item,
                forced_labour=row.forced_labour,
            ),
        )
    return {
        "violations": [row.item for row in detected],
        "escalation_actions": [action_id for row in detected for action_id in row.action_ids],
        "resolved": sorted(resolved_items),
        "open_rights_violations": pathway.open_rights_violations,
        "urgent": pathway.urgent,
        "unknown": result.unknown,
    }


EFFECTS: dict[Kind, Effect] = {
    Kind.ASSESS: assess,
    Kind.RESPOND: respond,
    Kind.MONITOR: monitor,
    Kind.ADJUST: adjust,
    Kind.VERIFY_RIGHTS: verify_rights,
}
