"""Why referrals end (`GET /api/v1/reports/referrals`): the referrals an organisation made, or
received as a provider, that were rejected or dropped in a period, by status, coded reason and
target, as one table with its margins, protected against small cells the way pathways' cross-tabs
are (``shared.crosstab``), exact for the organisation's own org admin."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import referral_report as statements
from services.matching.db.referral_report import ReferralScope, Side
from services.matching.errors import InvalidReportPeriod, MayNotReadReports
from shared import clock
from shared.auth import REPORT_ROLES, Principal, Role
from shared.crosstab import cross_tabulate, protect, published, small_cells
from shared.crosstab import csv_rows as table_rows
from shared.suppression import Publication

DIMENSIONS = ("status", "reason", "target")
DEFAULT_PERIOD = timedelta(days=365)
LONGEST_DAYS = 1830  # as pathways' indicators: a period at a time


def scope_for(
    principal: Principal, side: Side, date_from: date | None, date_to: date | None
) -> tuple[ReferralScope, Publication]:
    if principal.organization_id is None or not principal.has(*REPORT_ROLES):
        raise MayNotReadReports()
    until = date_to or clock.today()
    since = date_from or until - DEFAULT_PERIOD
    if since > until or (until - since).days > LONGEST_DAYS:
        raise InvalidReportPeriod(LONGEST_DAYS)
    own = not principal.is_platform_admin
    organisation: uuid.UUID | None = principal.organization_id if own else None
    exact = own and principal.acts_as(Role.ORG_ADMIN)
    return ReferralScope(organisation, side, since, until), Publication(exact=exact)


async def report(
    session: AsyncSession, scope: ReferralScope, publication: Publication
) -> dict[str, Any]:
    """The table (at most 2 statuses x 17 reasons x 6 targets: small, protected inline)."""
    table = cross_tabulate(DIMENSIONS, await statements.ended(session, scope))
    shown = dict(table.counts) if publication.exact else protect(table)
    return {
        "period": {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()},
        "scope": "all organisations"
        if scope.organization_id is None
        else str(scope.organization_id),
        "side": scope.side,
        "by": list(DIMENSIONS),
        "referrals": published(table, shown),
        "small_cells": small_cells(publication.exact),
        "generated_at": clock.now().isoformat(),
    }


def csv_rows(report: dict[str, Any]) -> list[list[str]]:
    """One row per cell: the dimensions' levels, then the count (the header first)."""
    return table_rows(report["by"], report["referrals"]["cells"])
