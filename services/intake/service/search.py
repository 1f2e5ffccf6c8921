"""Lists, search and sync of people: every filter is an indexed condition, every page one keyset
range, and a sync (``updated_since``) also returns tombstones for what the caller must drop
(the statements: ``db/search.py``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import access as grants
from services.intake.db import records
from services.intake.db import search as statements
from services.intake.db.models import Beneficiary
from services.intake.db.search import Filters
from services.intake.domain import access
from services.intake.service.beneficiaries import as_shown
from shared import clock
from shared.auth import Principal
from shared.pagination import encode_cursor

__all__ = ["Filters", "page"]


async def _keyed(
    session: AsyncSession,
    principal: Principal,
    filters: Filters,
    moment: datetime,
    cursor: str | None,
    limit: int,
) -> list[tuple[datetime, Beneficiary]]:
    """The page's records, each with the moment it sorts at."""
    if filters.updated_since is None:
        visible = await statements.visible_page(session, principal, filters, moment, cursor, limit)
        return [(row.updated_at, row) for row in visible]
    if not access.works_on_cases(principal) or principal.organization_id is None:
        return []
    return await statements.sync_page(session, principal, filters, moment, cursor, limit)


def _tombstone(row: Beneficiary, at: datetime) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "status": row.status if row.status != "active" else "withdrawn",
        "updated_at": at.isoformat(),
        "merged_into": str(row.merged_into) if row.merged_into else None,
    }


async def page(
    session: AsyncSession, principal: Principal, filters: Filters, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    moment = clock.now()
    keyed = await _keyed(session, principal, filters, moment, cursor, limit)
    has_more = len(keyed) > limit
    keyed = keyed[:limit]
    found = await grants.grants_of(session, [row.id for _at, row in keyed])
    items: list[dict[str, Any]] = []
    read_ids: list[uuid.UUID] = []
    today = moment.date()
    for at, row in keyed:
        view = access.view_of(principal, row.organization_id, found.get(row.id, []), moment)
        if row.status != "active" or view is None:
            items.append(_tombstone(row, at))
            continue
        items.append(as_shown(row, view, today))
        read_ids.append(row.id)
    await records.log_access(
        session, principal, read_ids, action="list", purpose="GET /api/v1/beneficiaries"
    )
    last = keyed[-1] if has_more and keyed else None
    return items, encode_cursor((last[0], last[1].id)) if last else None
