"""A sync of pathways (``GET /api/v1/pathways?since=``, ``shared.sync``): each pathway written in
the run, with its actions and steps as the caller reads them, and the people whose pathways the
caller must drop."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import sync as repository
from services.pathways.schemas.steps import StepRead
from services.pathways.service.pathways import as_read
from services.pathways.service.steps.actions import as_read as action_read
from shared import clock
from shared.auth import Principal
from shared.sync import begin, paged


async def sync_pathways(
    session: AsyncSession, principal: Principal, since: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    now = clock.now()
    run = await begin(session, since, cursor, now, scope="pathways")
    shown, next_cursor = paged(
        run, await repository.changes(session, principal, run, now, limit), limit
    )
    ids = [change.id for change in shown if change.removed is None]
    pathways, actions, steps = await repository.pathways_with_parts(session, ids)
    by_id = {pathway.id: (pathway, person) for pathway, person in pathways}
    items = []
    for id_ in ids:
        if id_ not in by_id:
            continue  # deleted since the page was read: nothing of it is left to send
        pathway, person = by_id[id_]
        item = as_read(pathway, person.permit_expires_on if person else None, now.date())
        item["actions"] = [
            action_read(action, principal, pathway).model_dump(mode="json")
            for action in actions.get(id_, [])
        ]
        item["steps"] = [
            StepRead.model_validate(step).model_dump(mode="json") for step in steps.get(id_, [])
        ]
        items.append(item)
    return {
        "items": items,
        "removed": [change.removed.model_dump(mode="json") for change in shown if change.removed],
        "next_cursor": next_cursor,
        "watermark": run.watermark,
    }
