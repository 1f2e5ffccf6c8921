"""Assess: context, labour-market position and needs; the server proposes the priority need, and
names which of the service points the context confirms answer it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.clients.matching import ServicePoint
from services.pathways.db.models import Pathway
from services.pathways.domain.loop import MONITORING_INTERVAL
from services.pathways.domain.needs import AssessedNeed, check_needs, propose_priority
from services.pathways.errors import InvalidField, InvalidList
from services.pathways.schemas.steps import AssessmentCreate
from services.pathways.service.pathways import record_employment
from services.pathways.service.urgency import exploitation, refresh_urgency
from shared.auth import Principal


async def assess(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    body: AssessmentCreate,
    today: date,
    points: Mapping[uuid.UUID, ServicePoint] | None = None,
) -> dict[str, Any]:
    needs = [
        AssessedNeed(need.domain, need.severity, tuple(need.conditions)) for need in body.needs
    ]
    problems = check_needs(needs)
    if problems:
        raise InvalidList("The needs do not hold together; see errors.", "needs", problems)
    # Intake's ILO indicators and the violations still open weigh on the proposal.
    signs = await exploitation(session, pathway)
    proposal = propose_priority(needs, signs)
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
    named = list((points or {}).values())
    pathway.priority_service_point_ids = answering(named, chosen)
    await record_employment(session, pathway, body.labour_market_position, today, principal.subject)
    if pathway.next_monitoring_due is None:
        pathway.next_monitoring_due = today + MONITORING_INTERVAL
    await refresh_urgency(session, pathway)
    return {
        "proposal": {
            "domain": proposal.domain,
            "reason": proposal.reason,
            "ranking": proposal.ranking,
            "service_point_ids": [str(i) for i in answering(named, proposal.domain)],
        },
        "priority_need": chosen,
        "priority_reason": reason,
        "priority_service_point_ids": [str(i) for i in pathway.priority_service_point_ids],
    }


def answering(points: list[ServicePoint], need: str | None) -> list[uuid.UUID]:
    """Of the service points the context names, those answering ``need``, in the given order."""
    return [point.id for point in points if need in point.need_domains]
