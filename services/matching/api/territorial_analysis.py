"""``GET /api/v1/territories/{code}/analysis``: the territorial analysis, computed on request
(never stored), as JSON or CSV (``Accept: text/csv`` or ``format=csv``)."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from services.matching.domain.territorial_analysis import csv_rows
from services.matching.domain.territories import CODE_PATTERN
from services.matching.schemas.territorial_analysis import TerritorialAnalysis
from services.matching.service import territorial_analysis
from shared.auth import CurrentPrincipal
from shared.dates import IsoDate
from shared.db import DbSession
from shared.openapi import problems
from shared.responses import JSON_OR_CSV, json_response

router = APIRouter(prefix="/api/v1/territories", tags=["territories"])

Code = Annotated[
    str,
    Path(
        pattern=CODE_PATTERN,
        description="a NUTS 2024 code, or `<country>_<LAU code>` for a municipality",
        examples=["ITI43"],
    ),
]


@router.get(
    "/{code}/analysis",
    response_model=TerritorialAnalysis,
    responses={
        **problems(404, 422),
        **JSON_OR_CSV,
    },
    summary="The territorial analysis: needs against services within reach, and the gaps",
    description="For the people living in the territory (and every unit under it) whom you may "
    "count: the need domains assessed against the active service points and open offers within "
    "reach (the territory, or the NUTS 3 region containing it), the gaps (needs with no service "
    "point within reach), the skills offers demand against the skills people hold by ESCO skill "
    "group, the tiers people were referred through in the period, and the profile's sourced "
    'variables. Counts of 1 to 4 people show as "<5". Platform admin: everyone (a cluster\'s '
    "members with `cluster_id`); a coordinator: `cluster_id` of a cluster it coordinates; org "
    "admins and operators: their organisation's people.",
)
async def analysis(
    code: Code,
    request: Request,
    principal: CurrentPrincipal,
    # A transaction (it writes nothing): the settings of plain_plans hold only within one.
    session: DbSession,
    date_from: Annotated[
        IsoDate | None, Query(alias="from", description="default: a year before `to`")
    ] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to", description="default: today")] = None,
    cluster_id: Annotated[uuid.UUID | None, Query(description="count this cluster")] = None,
    answer_format: Annotated[
        Literal["json", "csv"] | None, Query(alias="format", description="or `Accept`")
    ] = None,
) -> Response:
    report = await territorial_analysis.analyse(
        session, principal, code, date_from=date_from, date_to=date_to, cluster_id=cluster_id
    )
    wants_csv = answer_format == "csv" or (
        answer_format is None and "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(csv_rows(report))
        name = f"ponte-analysis-{code}-{report['period']['from']}-{report['period']['to']}.csv"
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return json_response(report)
