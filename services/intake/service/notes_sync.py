"""The case-notes feed (``GET /api/v1/notes?since=``, ``shared.sync``): the notes written in the
run that the caller may read now, as the per-person list shows them; those of people it was just
given access to; and the people whose notes it must drop (``db/notes_sync.py``). Each person whose
notes a page brings is in the access log, as the per-person list logs its reads."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import access as grants
from services.intake.db import beneficiaries, notes, notes_sync, records
from services.intake.domain import access
from services.intake.domain.notes import readable_sections
from services.intake.service.notes import as_read
from shared import clock
from shared.auth import Principal
from shared.sync import begin, paged

PURPOSE = "GET /api/v1/notes"


async def sync_notes(
    session: AsyncSession, principal: Principal, since: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    now = clock.now()
    run = await begin(session, since, cursor, now, scope="notes")
    org = principal.organization_id
    if org is None or not access.works_on_cases(principal):
        return {"items": [], "removed": [], "next_cursor": None, "watermark": run.watermark}
    shown, next_cursor = paged(run, await notes_sync.changes(session, org, run, now, limit), limit)
    ids = list(dict.fromkeys(change.id for change in shown if change.removed is None))
    found = await notes_sync.load(session, ids)
    people = list({note.beneficiary_id for note in found.values()})
    rows = {row.id: row for row in await beneficiaries.load(session, people)}
    views = {}
    granted = await grants.grants_of(session, people)
    for person in people:
        row = rows[person]
        if row.status == "active":
            views[person] = access.view_of(
                principal, row.organization_id, granted.get(person, []), now
            )
    corrections = await notes.corrections_of(session, ids)
    items: list[dict[str, Any]] = []
    read: set[uuid.UUID] = set()
    read_in_emergency: set[uuid.UUID] = set()
    for id_ in ids:
        note = found.get(id_)
        view = views.get(note.beneficiary_id) if note is not None else None
        if note is None or view is None or note.section not in readable_sections(view):
            continue  # changed since the page was read: the next sync tells what became of it
        items.append(as_read(note, corrections.get(id_, [])).model_dump(mode="json"))
        (read_in_emergency if view.emergency else read).add(note.beneficiary_id)
    await records.log_access(session, principal, sorted(read), action="read", purpose=PURPOSE)
    await records.log_access(
        session,
        principal,
        sorted(read_in_emergency),
        action="read",
        purpose=PURPOSE,
        emergency=True,
    )
    return {
        "items": items,
        "removed": [change.removed.model_dump(mode="json") for change in shown if change.removed],
        "next_cursor": next_cursor,
        "watermark": run.watermark,
    }
