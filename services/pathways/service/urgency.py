"""How urgent a pathway is, and the signs of exploitation that weigh on its priority need:
intake's ILO forced-labour indicators (the person's vulnerability level) and the rights
violations open on the pathway."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import actions as action_rows
from services.pathways.db import pathways as repository
from services.pathways.db.models import Pathway
from services.pathways.domain.needs import FORCED_LABOUR_LEVEL, Exploitation, urgent
from shared import clock


async def exploitation(session: AsyncSession, pathway: Pathway) -> Exploitation:
    """The signs of exploitation known now: intake's ILO indicators, the open violations."""
    person = await repository.person(session, pathway.beneficiary_id)
    return Exploitation(
        forced_labour_indicators=person is not None
        and person.vulnerability_level == FORCED_LABOUR_LEVEL,
        open_violations=pathway.open_rights_violations,
    )


async def refresh_urgency(session: AsyncSession, pathway: Pathway) -> None:
    """Urgent while forced labour is signalled (``domain.needs.urgent``); a change is a new
    version of the pathway."""
    person = await repository.person(session, pathway.beneficiary_id)
    violations = await action_rows.open_violations(session, pathway)
    now_urgent = urgent(
        person is not None and person.vulnerability_level == FORCED_LABOUR_LEVEL,
        any(row.forced_labour for row in violations),
    )
    if pathway.urgent != now_urgent:
        pathway.urgent = now_urgent
        pathway.version += 1
        pathway.updated_at = clock.now()
