"""Lists, search and sync of people: every filter is an indexed condition, every page one keyset
range, and a sync (``updated_since``) also returns tombstones for what the caller must drop."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import repository
from services.intake.db.models import AccessGrant, Beneficiary
from services.intake.domain import access
from services.intake.domain.names import query_prefixes
from services.intake.domain.profile import RECENT_ARRIVAL_YEARS
from services.intake.registry import as_shown, now
from shared.auth import Principal
from shared.pagination import encode_cursor, keyset


@dataclass(frozen=True)
class Filters:
    q: str | None = None
    nationality: str | None = None
    municipality: str | None = None
    need: str | None = None
    recent_arrival: bool | None = None
    age_min: int | None = None
    age_max: int | None = None
    permit_expiring_within_days: int | None = None
    organization_id: uuid.UUID | None = None
    updated_since: datetime | None = None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _conditions(filters: Filters, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.q is not None:
        words = query_prefixes(filters.q)
        conditions.append(Beneficiary.search_prefixes.contains(words) if words else false())
    if filters.nationality:
        conditions.append(Beneficiary.nationality == filters.nationality)
    if filters.municipality:
        conditions.append(Beneficiary.municipality == filters.municipality)
    if filters.need:
        conditions.append(Beneficiary.needs.contains([filters.need]))
    if filters.recent_arrival is not None:
        cut = _years_before(today, RECENT_ARRIVAL_YEARS)
        conditions.append(
            Beneficiary.arrival_date > cut
            if filters.recent_arrival
            else Beneficiary.arrival_date <= cut
        )
    if filters.age_min is not None:
        conditions.append(Beneficiary.birth_date <= _years_before(today, filters.age_min))
    if filters.age_max is not None:
        conditions.append(Beneficiary.birth_date > _years_before(today, filters.age_max + 1))
    if filters.permit_expiring_within_days is not None:
        conditions.append(
            Beneficiary.permit_expires_on.between(
                today, today + timedelta(days=filters.permit_expiring_within_days)
            )
        )
    if filters.organization_id is not None:
        conditions.append(Beneficiary.organization_id == filters.organization_id)
    return conditions


def _statement(principal: Principal, filters: Filters, moment: datetime) -> Select[Beneficiary]:
    """A sync: everything visible that changed, and tombstones for what the caller held."""
    conditions = _conditions(filters, moment.date())
    org = principal.organization_id
    if not access.works_on_cases(principal) or org is None:
        return select(Beneficiary).where(false())
    ever_granted = exists().where(
        AccessGrant.beneficiary_id == Beneficiary.id, AccessGrant.organization_id == org
    )
    visible_now = or_(Beneficiary.organization_id == org, repository.granted(org, moment))
    return select(Beneficiary).where(
        Beneficiary.updated_at > filters.updated_since,
        or_(
            and_(Beneficiary.status == "active", visible_now, *conditions),
            and_(
                Beneficiary.status != "active",
                or_(Beneficiary.organization_id == org, ever_granted),
            ),
            and_(Beneficiary.status == "active", ~visible_now, ever_granted),
        ),
    )


ORDER = (Beneficiary.updated_at, Beneficiary.id)


async def _visible_page(
    session: AsyncSession,
    principal: Principal,
    filters: Filters,
    moment: datetime,
    cursor: str | None,
    limit: int,
) -> list[Beneficiary]:
    """One page of what the caller may see, as two index-friendly branches, each keyset-limited:
    the people the caller's organisation registered (by ``(organization_id, updated_at)``), and
    those shared with it (from its grants). An ``OR`` of the two would read every organisation's
    rows in ``updated_at`` order (measured at 100,000 people: p95 of a filtered list ~50 ms)."""
    org = principal.organization_id
    if not access.works_on_cases(principal) or org is None:
        return []
    conditions = [Beneficiary.status == "active", *_conditions(filters, moment.date())]
    shared_ids = select(AccessGrant.beneficiary_id).where(
        AccessGrant.organization_id == org, repository.active_grant(moment)
    )
    branches = [
        keyset(
            select(*ORDER).where(Beneficiary.organization_id == org, *conditions),
            ORDER,
            cursor,
            limit,
        ),
        keyset(
            select(*ORDER).where(
                Beneficiary.id.in_(shared_ids), Beneficiary.organization_id != org, *conditions
            ),
            ORDER,
            cursor,
            limit,
        ),
    ]
    both = union_all(*branches).subquery()
    ids = select(both.c.id).order_by(both.c.updated_at, both.c.id).limit(limit + 1)
    rows = (await session.scalars(select(Beneficiary).where(Beneficiary.id.in_(ids)))).all()
    return sorted(rows, key=lambda row: (row.updated_at, row.id))


async def page(
    session: AsyncSession, principal: Principal, filters: Filters, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    moment = now()
    if filters.updated_since is None:
        rows: Sequence[Beneficiary] = await _visible_page(
            session, principal, filters, moment, cursor, limit
        )
    else:
        rows = (
            await session.scalars(
                keyset(_statement(principal, filters, moment), ORDER, cursor, limit)
            )
        ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    grants = await repository.grants_of(session, [row.id for row in rows])
    items: list[dict[str, Any]] = []
    read_ids: list[uuid.UUID] = []
    today = moment.date()
    for row in rows:
        view = access.view_of(principal, row.organization_id, grants.get(row.id, []), moment)
        if row.status != "active" or view is None:
            status = row.status if row.status != "active" else "withdrawn"
            items.append(
                {
                    "id": str(row.id),
                    "status": status,
                    "updated_at": row.updated_at.isoformat(),
                    "merged_into": str(row.merged_into) if row.merged_into else None,
                }
            )
            continue
        items.append(as_shown(row, view, today))
        read_ids.append(row.id)
    await repository.log_access(
        session, principal, read_ids, action="list", purpose="GET /api/v1/beneficiaries"
    )
    next_cursor = encode_cursor((rows[-1].updated_at, rows[-1].id)) if has_more and rows else None
    return items, next_cursor
