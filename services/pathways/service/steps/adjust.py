"""Adjust: cancel, add or reschedule actions, with a reason (a new version of the plan); or keep
the plan as it is, for the reason given (no new version)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import actions as action_rows
from services.pathways.db.models import Action, Pathway
from services.pathways.domain.actions import OPEN_STATUSES, ActionStatus
from services.pathways.errors import InvalidField
from services.pathways.schemas.steps import AdjustmentCreate
from services.pathways.service.steps import actions
from shared.auth import Principal


async def _still_open(
    session: AsyncSession, pathway: Pathway, action_id: uuid.UUID, field: str
) -> Action:
    action = await actions.named_in_body(session, pathway, action_id, field)
    if ActionStatus(action.status) not in OPEN_STATUSES:
        raise InvalidField(field, f"is already {action.status}")
    return action


async def adjust(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    body: AdjustmentCreate,
    today: date,
) -> dict[str, Any]:
    if not (body.cancel or body.add or body.reschedule):
        # Reviewed, and the plan holds: the reason is the record (the step's body).
        return {"actions_added": [], "plan_version": pathway.plan_version, "plan_kept": True}
    for index, action_id in enumerate(body.cancel):
        action = await _still_open(session, pathway, action_id, f"cancel.{index}")
        action_rows.set_status(action, ActionStatus.CANCELLED.value)
        action.version += 1
    for index, change in enumerate(body.reschedule):
        action = await _still_open(
            session, pathway, change.action_id, f"reschedule.{index}.action_id"
        )
        action.due_date = change.due_date
        action.version += 1
    added = await actions.add(session, principal, pathway, body.add, today)
    await actions.snapshot(session, principal, pathway, body.reason)
    return {
        "actions_added": [str(action.id) for action in added],
        "plan_version": pathway.plan_version,
        "plan_kept": False,
    }
