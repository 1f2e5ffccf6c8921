"""The person's own pathways in the self-service app (role ``beneficiary``): where they are in
the loop, the actions in hand and the next follow-up. Not the case work: no assessment, notes,
evidence or rights-violation escalations (an escalation shown on the person's phone could reach
the very employer it concerns)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import actions as action_rows
from services.pathways.db import pathways as repository
from services.pathways.schemas.me import OwnAction, OwnPathway, OwnPathways


async def own_pathways(session: AsyncSession, person: uuid.UUID) -> OwnPathways:
    pathways = await repository.own_open(session, person)
    actions: dict[uuid.UUID, list[OwnAction]] = {pathway.id: [] for pathway in pathways}
    if pathways:
        for action in await action_rows.current_for_people(session, list(actions)):
            actions[action.pathway_id].append(
                OwnAction(
                    id=action.id,
                    type=action.type,
                    title=action.title,
                    status=action.status,
                    due_date=action.due_date,
                )
            )
    return OwnPathways(
        items=[
            OwnPathway(
                id=pathway.id,
                organization_id=pathway.organization_id,
                stage=pathway.stage,
                cycle=pathway.cycle,
                next_follow_up_date=pathway.next_monitoring_due,
                actions=actions[pathway.id],
            )
            for pathway in pathways
        ]
    )
