"""``GET /api/v1/reports/referrals``: why referrals end, as JSON or CSV (``Accept: text/csv``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.matching.db.referral_report import Side
from services.matching.service import reports
from shared.auth import CurrentPrincipal
from shared.dates import IsoDate
from shared.db import ReadSession
from shared.openapi import problems
from shared.responses import json_or_csv

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
# A report's period (``service.reports.period``): at most 1830 days
DateFrom = Annotated[IsoDate | None, Query(description="default: a year before date_to")]
DateTo = Annotated[IsoDate | None, Query(description="default: today")]


@router.get(
    "/referrals",
    responses={
        **problems(403, 422),
        200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}},
    },
    summary="Why referrals end: rejected and dropped referrals by status, reason and target",
    description="The referrals your organisation made (`side=referrer`) or received as a "
    "provider (`side=provider`) that were rejected or dropped in the period (their last move), "
    "as one table by `status`, `reason` (the coded `reason_code` given, the system's, or "
    "`uncoded` when only words were given) and `target` (the offer's type, or `service_point`), "
    'with every margin (the level `total`): so that "rejected: language level" can be counted '
    'and acted on. Small cells show as "<5", and cells that would let one be worked out from '
    'the margins as "withheld"; exact for your organisation\'s org admin. Platform admins read '
    "every organisation's. `Accept: text/csv` gives one row per cell. At most 1830 days.",
)
async def referrals_report(
    request: Request,
    principal: CurrentPrincipal,
    session: ReadSession,
    side: Annotated[Side, Query(description="as the referring organisation, or the provider")] = (
        "referrer"
    ),
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response:
    scope, publication = reports.scope_for(principal, side, date_from, date_to)
    report = await reports.report(session, scope, publication)
    name = f"ponte-referrals-{scope.side}-{scope.date_from}-{scope.date_to}.csv"
    return json_or_csv(request, report, name, reports.csv_rows)
