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
from shared.crosstab import cross_tabulate, published, shown, small_cells
from shared.crosstab import csv_rows as table_rows
from shared.suppression import Publication

DIMENSIONS = ("status", "reason", "target")
DEFAULT_PERIOD = timedelta(days=365)
LONGEST_DAYS = 1830  # as pathways' indicators: a period at a time


def reader(principal: Principal) -> tuple[uuid.UUID | None, Publication]:
    """Whose referrals a report counts (the caller's organisation's; None: every
    organisation's, for platform admins) and how it publishes them (exact for the
    organisation's own org admin). ``MayNotReadReports`` for roles without reports."""
    if principal.organization_id is None or not principal.has(*REPORT_ROLES):
        raise MayNotReadReports()
    own = not principal.is_platform_admin
    organisation: uuid.UUID | None = principal.organization_id if own else None
    return organisation, Publication(exact=own and principal.acts_as(Role.ORG_ADMIN))


def period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """A report's period: to today and from a year before by default, at most
    ``LONGEST_DAYS`` (``InvalidReportPeriod`` otherwise)."""
    until = date_to or clock.today()
    since = date_from or until - DEFAULT_PERIOD
    if since > until or (until - since).days > LONGEST_DAYS:
        raise InvalidReportPeriod(LONGEST_DAYS)
    return since, until


def heading(organization_id: uuid.UUID | None, since: date, until: date) -> dict[str, Any]:
    """What a report counted: its period, and whose (an organisation's id, or all)."""
    return {
        "period": {"from": since.isoformat(), "to": until.isoformat()},
        "scope": "all organisations" if organization_id is None else str(organization_id),
    }


def scope_for(
    principal: Principal, side: Side, date_from: date | None, date_to: date | None
) -> tuple[ReferralScope, Publication]:
    organisation, publication = reader(principal)
    since, until = period(date_from, date_to)
    return ReferralScope(organisation, side, since, until), publication


async def report(
    session: AsyncSession, scope: ReferralScope, publication: Publication
) -> dict[str, Any]:
    """The table (at most 2 statuses x 17 reasons x 6 targets: small, protected inline)."""
    table = cross_tabulate(DIMENSIONS, await statements.ended(session, scope))
    return {
        **heading(scope.organization_id, scope.date_from, scope.date_to),
        "side": scope.side,
        "by": list(DIMENSIONS),
        "referrals": published(table, shown(table, publication.exact)),
        "small_cells": small_cells(publication.exact),
        "generated_at": clock.now().isoformat(),
    }


def csv_rows(report: dict[str, Any]) -> list[list[str]]:
    """One row per cell: the dimensions' levels, then the count (the header first)."""
    return table_rows(report["by"], report["referrals"]["cells"])
