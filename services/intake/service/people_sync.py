"""A sync of people (``GET /api/v1/beneficiaries?since=``, ``shared.sync``): each person written in
the run as the caller may see them now (the list's projection), with their consents for the
registering organisation (who alone reads them), and the people the caller must drop."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import access as grants
from services.intake.db import beneficiaries, people_sync, records
from services.intake.domain import access
from services.intake.service.beneficiaries import as_shown
from services.intake.service.consents import as_read as consent_read
from shared import clock
from shared.auth import Principal
from shared.sync import begin, paged

PURPOSE = "GET /api/v1/beneficiaries"


async def sync_people(
    session: AsyncSession, principal: Principal, since: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    now = clock.now()
    run = await begin(session, since, cursor, now, scope="beneficiaries")
    org = principal.organization_id
    if org is None or not access.works_on_cases(principal):
        return {"items": [], "removed": [], "next_cursor": None, "watermark": run.watermark}
    shown, next_cursor = paged(run, await people_sync.changes(session, org, run, now, limit), limit)
    ids = [change.id for change in shown if change.removed is None]
    rows = {row.id: row for row in await beneficiaries.load(session, ids)}
    found = await grants.grants_of(session, ids)
    consents = await people_sync.consents_of(
        session, [id_ for id_ in ids if id_ in rows and rows[id_].organization_id == org]
    )
    items: list[dict[str, Any]] = []
    read: list[uuid.UUID] = []
    read_in_emergency: list[uuid.UUID] = []
    for id_ in ids:
        row = rows.get(id_)
        view = (
            access.view_of(principal, row.organization_id, found.get(id_, []), now)
            if row is not None and row.status == "active"
            else None
        )
        if row is None or view is None:
            continue  # changed since the page was read: the next sync tells what became of it
        item = as_shown(row, view, now.date())
        if view.owner:
            item["consents"] = [
                consent_read(consent).model_dump(mode="json") for consent in consents[id_]
            ]
        items.append(item)
        (read_in_emergency if view.emergency else read).append(id_)
    await records.log_access(session, principal, read, action="list", purpose=PURPOSE)
    await records.log_access(
        session, principal, read_in_emergency, action="list", purpose=PURPOSE, emergency=True
    )
    return {
        "items": items,
        "removed": [change.removed.model_dump(mode="json") for change in shown if change.removed],
        "next_cursor": next_cursor,
        "watermark": run.watermark,
    }
