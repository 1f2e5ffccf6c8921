"""The person's own pathways in the self-service app (role ``beneficiary``): where they are in
the loop, the actions in hand and the next follow-up. Not the case work: no assessment, notes,
evidence or rights-violation escalations (an escalation shown on the person's phone could reach
the very employer it concerns). The person's id comes from the token, never from the path."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import Exists, exists, select

from services.pathways.db.models import Action, Pathway, beneficiary_access
from services.pathways.domain.actions import OPEN_STATUSES
from shared.auth.person import CurrentPerson
from shared.db import ReadSession
from shared.openapi import problems

router = APIRouter(prefix="/api/v1/me", tags=["self-service"])


class OwnAction(BaseModel):
    id: uuid.UUID
    type: str
    title: str
    status: str
    due_date: date | None


class OwnPathway(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID = Field(description="the organisation running it")
    stage: str | None
    cycle: int
    next_follow_up_date: date | None = Field(description="the next monitoring meeting")
    actions: list[OwnAction] = Field(description="planned and in-progress actions, by due date")


class OwnPathways(BaseModel):
    items: list[OwnPathway]


def _live(person: uuid.UUID) -> Exists:
    """The person is known here and neither erased nor merged away."""
    access = beneficiary_access.c
    return exists().where(
        access.beneficiary_id == person, access.erased.is_(False), access.merged_into.is_(None)
    )


@router.get(
    "/pathways",
    response_model=OwnPathways,
    responses=problems(403),
    summary="The person's own open pathways: stage, current actions, next follow-up",
)
async def own_pathways(person: CurrentPerson, session: ReadSession) -> OwnPathways:
    pathways = (
        await session.scalars(
            select(Pathway)
            .where(Pathway.beneficiary_id == person, Pathway.status == "open", _live(person))
            .order_by(Pathway.opened_at, Pathway.id)
        )
    ).all()
    actions: dict[uuid.UUID, list[OwnAction]] = {pathway.id: [] for pathway in pathways}
    if pathways:
        rows = await session.scalars(
            select(Action)
            .where(
                Action.pathway_id.in_(list(actions)),
                Action.status.in_([status.value for status in OPEN_STATUSES]),
                Action.type != "escalation",
                Action.escalation_target.is_(None),
                Action.rights_item.is_(None),
            )
            .order_by(Action.due_date.asc().nulls_last(), Action.created_at, Action.id)
        )
        for action in rows:
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
