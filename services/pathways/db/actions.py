"""Every statement over a pathway's actions (the plan), its plan versions, its recorded steps and
its rights violations. The pathway itself was read through ``db.pathways`` (caller-scoped) first:
these statements only take rows of that pathway."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import (
    Action,
    Pathway,
    PlanVersion,
    RightsViolation,
    Step,
    beneficiary_access,
)
from services.pathways.domain.actions import OPEN_STATUSES, ActionStatus
from services.pathways.errors import ActionNotFound
from shared import clock


def set_status(action: Action, status: str) -> None:
    """The action's new status; moving out of the open ones dates its end (``ended_at``: what
    the reports count it by, whatever later changes its ``updated_at``)."""
    action.status = status
    ended = ActionStatus(status) not in OPEN_STATUSES
    action.ended_at = (action.ended_at or clock.now()) if ended else None


async def of_pathway(session: AsyncSession, pathway_id: uuid.UUID) -> Sequence[Action]:
    statement = (
        select(Action).where(Action.pathway_id == pathway_id).order_by(Action.created_at, Action.id)
    )
    return (await session.scalars(statement)).all()


async def find(
    session: AsyncSession, pathway_id: uuid.UUID, action_id: uuid.UUID, *, lock: bool = False
) -> Action | None:
    """The pathway's action (locked when asked), or None."""
    action = await session.get(Action, action_id, with_for_update=lock or None)
    if action is None or action.pathway_id != pathway_id:
        return None
    return action


async def get(
    session: AsyncSession, pathway_id: uuid.UUID, action_id: uuid.UUID, *, lock: bool = False
) -> Action:
    """The pathway's action (locked when asked), or 404."""
    action = await find(session, pathway_id, action_id, lock=lock)
    if action is None:
        raise ActionNotFound()
    return action


async def next_due(session: AsyncSession, pathway_id: uuid.UUID) -> date | None:
    """The earliest due date of the pathway's open actions."""
    await session.flush()
    return await session.scalar(
        select(Action.due_date)
        .where(
            Action.pathway_id == pathway_id,
            Action.status.in_([s.value for s in OPEN_STATUSES]),
            Action.due_date.is_not(None),
        )
        .order_by(Action.due_date)
        .limit(1)
    )


async def current_for_people(
    session: AsyncSession, pathway_ids: list[uuid.UUID]
) -> Sequence[Action]:
    """What a person sees of their pathways' plans (self-service): planned and in-progress
    actions, never an escalation of a rights violation, by due date."""
    statement = (
        select(Action)
        .where(
            Action.pathway_id.in_(pathway_ids),
            Action.status.in_([status.value for status in OPEN_STATUSES]),
            Action.type != "escalation",
            Action.escalation_target.is_(None),
            Action.rights_item.is_(None),
        )
        .order_by(Action.due_date.asc().nulls_last(), Action.created_at, Action.id)
    )
    return (await session.scalars(statement)).all()


def add_plan_version(session: AsyncSession, plan: PlanVersion) -> None:
    session.add(plan)


async def steps(session: AsyncSession, pathway_id: uuid.UUID, kind: str) -> Sequence[Step]:
    statement = (
        select(Step).where(Step.pathway_id == pathway_id, Step.kind == kind).order_by(Step.id)
    )
    return (await session.scalars(statement)).all()


async def open_violations(session: AsyncSession, pathway: Pathway) -> Sequence[RightsViolation]:
    statement = select(RightsViolation).where(
        RightsViolation.pathway_id == pathway.id, RightsViolation.resolved_at.is_(None)
    )
    return (await session.scalars(statement)).all()


async def carried_out_by_referral(
    session: AsyncSession,
    action_id: uuid.UUID,
    organization_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
    pathway_id: uuid.UUID | None,
) -> Action | None:
    """The action a referral names, locked, only if it belongs to a pathway of the referral's
    person (or of the record the person was merged into) run by the referring organisation, and
    to the pathway the referral names, if it names one."""
    survivor = select(beneficiary_access.c.merged_into).where(
        beneficiary_access.c.beneficiary_id == beneficiary_id
    )
    statement = (
        select(Action)
        .join(Pathway, Pathway.id == Action.pathway_id)
        .where(
            Action.id == action_id,
            Pathway.organization_id == organization_id,
            or_(Pathway.beneficiary_id == beneficiary_id, Pathway.beneficiary_id.in_(survivor)),
        )
        .with_for_update(of=Action)
    )
    if pathway_id is not None:
        statement = statement.where(Action.pathway_id == pathway_id)
    # The pathway first, as a request does: writing the action writes its pathway too (a sync's
    # trigger), and taking the two locks in the other order could deadlock with an operator.
    await session.execute(
        select(Pathway.id)
        .where(
            Pathway.id == select(Action.pathway_id).where(Action.id == action_id).scalar_subquery()
        )
        .with_for_update()
    )
    action: Action | None = await session.scalar(statement)
    return action
