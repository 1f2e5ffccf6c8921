"""A sync of referrals (``GET /api/v1/referrals?since=``, ``shared.sync``): each referral written
in the run as the caller reads it, and the people and referrals it must drop
(``db.referral_sync`` says which)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import referral_sync as repository
from services.matching.service.referrals import as_read
from shared import clock
from shared.auth import Principal
from shared.sync import begin, paged


async def sync_referrals(
    session: AsyncSession, principal: Principal, since: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    now = clock.now()
    run = await begin(session, since, cursor, now, scope="referrals")
    shown, next_cursor = paged(
        run, await repository.changes(session, principal, run, now, limit), limit
    )
    ids = [change.id for change in shown if change.removed is None]
    found = await repository.readable_of(session, principal, ids)
    return {
        # One no longer readable since the page was read: a later sync tells its removal.
        "items": [as_read(found[id_], principal) for id_ in ids if id_ in found],
        "removed": [change.removed.model_dump(mode="json") for change in shown if change.removed],
        "next_cursor": next_cursor,
        "watermark": run.watermark,
    }
