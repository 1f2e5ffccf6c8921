"""Respond: the actions that answer the needs, kept as a new version of the plan (with the reason
when they come out of the loop's turn)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import Pathway
from services.pathways.schemas.steps import RespondCreate
from services.pathways.service.steps import actions
from shared.auth import Principal


async def respond(
    session: AsyncSession, principal: Principal, pathway: Pathway, body: RespondCreate, today: date
) -> dict[str, Any]:
    added = await actions.add(session, principal, pathway, body.actions, today)
    await actions.snapshot(session, principal, pathway, body.reason or "respond")
    return {
        "actions_added": [str(action.id) for action in added],
        "plan_version": pathway.plan_version,
    }
