"""``GET /api/v1/reports/indicators``: as JSON, or CSV with ``Accept: text/csv``."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.pathways.domain.indicators import to_csv_rows
from services.pathways.service import reports
from shared.auth import CurrentPrincipal
from shared.dates import IsoDate
from shared.db import ReadSession
from shared.openapi import problems
from shared.responses import json_response

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get(
    "/indicators",
    responses={
        **problems(403, 422),
        200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}},
    },
    summary="Indicators for funders' reports (your organisation; all for platform admins)",
    description="People reached and pathways by sex, age band, nationality and municipality; "
    "actions by type and status; the matrix of employment transitions; median days to the first "
    "formal contract; retention at 3, 6 and 12 months; open rights violations. Counts of 1 to 4 "
    'show as "<5"; in a breakdown published beside its total, cells that would let a reader '
    'work a small one out show as "withheld" (the total too, when nothing else protects it). '
    "`Accept: text/csv` gives `section,dimension,value,count` rows. A period "
    "longer than `PONTE_PATHWAYS_INDICATORS_MAX_DAYS` (1830) is refused with 422.",
)
async def indicators(
    request: Request,
    principal: CurrentPrincipal,
    session: ReadSession,
    date_from: Annotated[
        IsoDate | None, Query(description="default: a year before date_to")
    ] = None,
    date_to: Annotated[IsoDate | None, Query(description="default: today")] = None,
    municipality: Annotated[str | None, Query(max_length=120, description="the territory")] = None,
) -> Response:
    longest: int = request.app.state.settings.indicators_max_days
    scope = reports.scope_for(principal, date_from, date_to, municipality, longest)
    report = await reports.indicators(session, scope)
    if "text/csv" in request.headers.get("accept", ""):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(to_csv_rows(report))
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{_filename(scope)}"'},
        )
    return json_response(report)


def _filename(scope: reports.Scope) -> str:
    return f"ponte-indicators-{scope.date_from}-{scope.date_to}.csv"
