"""Verify rights: the checklist. Every new violation opens its escalation actions at once (due
the next day under forced-labour indicators, within a week otherwise); an answer that no longer
shows a violation resolves it; forced labour (a violation, or intake's ILO indicators) makes the
pathway urgent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import actions as repository
from services.pathways.db.models import Action, Pathway, RightsViolation
from services.pathways.domain.actions import ESCALATION_TITLES, ActionStatus, ActionType
from services.pathways.domain.rights import Violation, check_answers, evaluate, resolves
from services.pathways.errors import InvalidField, InvalidList
from services.pathways.schemas.steps import RightsCheckCreate
from services.pathways.service.pathways import identity, publish
from services.pathways.service.steps import actions
from services.pathways.service.urgency import refresh_urgency
from shared import clock
from shared.auth import Principal
from shared.contracts import pathways as contract


def _check(body: RightsCheckCreate) -> None:
    problems = check_answers(body.answers)
    if problems:
        raise InvalidList(
            "The checklist is incomplete or inconsistent; see errors.", "answers", problems
        )
    unknown_evidence = sorted(set(body.evidence) - set(body.answers))
    if unknown_evidence:
        raise InvalidField(
            "evidence", f"names items not in the checklist: {', '.join(unknown_evidence)}"
        )


def _resolve(open_rows: Sequence[RightsViolation], body: RightsCheckCreate, cycle: int) -> set[str]:
    """Mark resolved the open violations the answers no longer show; their items."""
    moment = clock.now()
    resolved_items = resolves([row.item for row in open_rows], body.answers)
    for row in open_rows:
        if row.item in resolved_items:
            row.resolved_at = moment
            row.resolved_in_cycle = cycle
    return resolved_items


def _escalate(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    violation: Violation,
    evidence: str | None,
    today: date,
) -> RightsViolation:
    """The violation, recorded with one escalation action per target."""
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
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        for target in violation.targets
    ]
    session.add_all(escalations)
    row = RightsViolation(
        id=uuid.uuid4(),
        pathway_id=pathway.id,
        item=violation.item,
        forced_labour=violation.forced_labour,
        evidence=evidence,
        action_ids=[str(action.id) for action in escalations],
        detected_in_cycle=pathway.cycle,
    )
    session.add(row)
    return row


async def _announce(
    session: AsyncSession, pathway: Pathway, detected: list[RightsViolation]
) -> None:
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


async def verify_rights(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    body: RightsCheckCreate,
    today: date,
) -> dict[str, Any]:
    _check(body)
    result = evaluate(body.answers)
    open_rows = await repository.open_violations(session, pathway)
    resolved_items = _resolve(open_rows, body, pathway.cycle)
    still_open = {row.item for row in open_rows if row.item not in resolved_items}
    detected = [
        _escalate(session, principal, pathway, violation, body.evidence.get(violation.item), today)
        for violation in result.violations
        if violation.item not in still_open  # already open: its escalation is under way
    ]
    await session.flush()
    remaining = await repository.open_violations(session, pathway)
    pathway.open_rights_violations = len(remaining)
    await refresh_urgency(session, pathway)
    if detected:
        await actions.snapshot(session, principal, pathway, "escalation of rights violations")
    await _announce(session, pathway, detected)
    return {
        "violations": [row.item for row in detected],
        "escalation_actions": [action_id for row in detected for action_id in row.action_ids],
        "resolved": sorted(resolved_items),
        "open_rights_violations": pathway.open_rights_violations,
        "urgent": pathway.urgent,
        "unknown": result.unknown,
    }
