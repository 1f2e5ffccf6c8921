"""Assess: context, labour-market position and needs; the server proposes the priority need."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import Pathway
from services.pathways.domain.loop import MONITORING_INTERVAL
from services.pathways.domain.needs import AssessedNeed, check_needs, propose_priority
from services.pathways.errors import InvalidField, InvalidList
from services.pathways.schemas.steps import AssessmentCreate
from services.pathways.service.pathways import record_employment
from shared.auth import Principal


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
        raise InvalidList("The needs do not hold together; see errors.", "needs", problems)
    proposal = propose_priority(needs)
    if body.priority_need is None:
        chosen, reason = proposal.domain, proposal.reason
    else:
        if body.priority_need.domain not in {need.domain for need in needs}:
            raise InvalidField("priority_need.domain", "is not one of the needs assessed")
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
