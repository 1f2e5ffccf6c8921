"""``GET /api/v1/reports/indicators`` and ``/fund-indicators``: as JSON, or CSV with
``Accept: text/csv``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from services.pathways.domain import funds
from services.pathways.domain.indicators import crosstab_csv_rows, to_csv_rows
from services.pathways.schemas.reports import (
    CrosstabReport,
    FundIndicatorsReport,
    IndicatorsReport,
    LadderReport,
    MonthlyIndicators,
)
from services.pathways.service import fund_indicators, ladder_report, reports
from shared.auth import CurrentPrincipal
from shared.dates import ReportDate
from shared.db import ReadSession
from shared.openapi import problems
from shared.responses import json_or_csv, json_or_csv_responses

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


async def _report_scope(
    request: Request,
    principal: CurrentPrincipal,
    session: ReadSession,
    date_from: Annotated[
        ReportDate | None, Query(description="default: a year before date_to")
    ] = None,
    date_to: Annotated[ReportDate | None, Query(description="default: today")] = None,
    municipality: Annotated[str | None, Query(max_length=120, description="the territory")] = None,
    project_id: Annotated[
        uuid.UUID | None,
        Query(
            description="only the people enrolled in this project by the period's end (one your "
            "organisation leads or is a partner of)"
        ),
    ] = None,
) -> reports.Scope:
    """What an organisation's report covers (``reports.scope_for``), from the query."""
    longest: int = request.app.state.settings.indicators_max_days
    return await reports.scope_for(
        session, principal, date_from, date_to, municipality, project_id, longest
    )


ReportScope = Annotated[reports.Scope, Depends(_report_scope)]


@router.get(
    "/indicators",
    responses={
        **problems(403, 404, 422),
        **json_or_csv_responses(IndicatorsReport | CrosstabReport),
    },
    summary="Indicators for funders' reports (your organisation; all for platform admins)",
    description="People reached and pathways by sex, age band, arrival band (years since arrival: "
    "<1, 1-2, 2-5, 5+), nationality and municipality; "
    "actions by type and status; the matrix of employment transitions; median days to the first "
    "formal contract; retention at 3, 6 and 12 months; open rights violations. Counts of 1 to 4 "
    'show as "<5"; in a breakdown published beside its total, cells that would let a reader '
    'work a small one out show as "withheld" (the total too, when nothing else protects it, and '
    "then every cell of its other breakdowns). An org admin reads their own organisation's "
    "counts exact (`small_cells` says which): they may open every record counted. "
    "`Accept: text/csv` gives `section,dimension,value,count` rows. A period "
    "longer than `PONTE_PATHWAYS_INDICATORS_MAX_DAYS` (1830) is refused with 422. "
    "`project_id` counts only that project's participants.\n\n"
    "**Cross-tabulated** with `by` (up to three of `sex`, `age_band`, `arrival_band`, "
    "`nationality_group` (UN M49 regions), `municipality`, comma-separated): the people reached "
    "in every combination, with every margin (the level `total`), instead of the report. The "
    'table is protected as a whole: cells of 1 to 4 show as "<5", and around each one the '
    'corners of a hypercube as "withheld", so that no hidden cell can be worked out from the '
    "cells shown and the margins (exact for an org admin's own organisation). A table of more "
    "than 5,000 cells is refused with 422. `Accept: text/csv` gives one row per cell: the "
    "dimensions, then `count`.",
)
async def indicators(
    request: Request,
    scope: ReportScope,
    session: ReadSession,
    by: Annotated[
        str | None,
        Query(
            max_length=200,
            description="cross-tabulate by these dimensions (comma-separated, at most three)",
            examples=["sex,age_band,arrival_band"],
        ),
    ] = None,
) -> Response:
    period = f"{scope.date_from}-{scope.date_to}"
    if by is not None:
        dimensions = reports.dimensions_of(by)
        table = await reports.crosstab(session, scope, dimensions)
        return _answer(request, table, f"ponte-crosstab-{period}.csv", crosstab_csv_rows)
    report = await reports.indicators(session, scope)
    return _answer(request, report, f"ponte-indicators-{period}.csv")


@router.get(
    "/indicators/monthly",
    responses={
        **problems(403, 404, 422),
        **json_or_csv_responses(MonthlyIndicators),
    },
    summary="The indicators month by month: pathways opened and closed, people reached, placements",
    description="The same scope and parameters as `/indicators` (your organisation, exact for "
    "its org admins; all for platform admins). Each measure has every month of the period and "
    'its total beside them, protected as a breakdown is (small months "<5", others "withheld" '
    "where a small one could be worked out; a person reached in two months counts in both, so "
    "that total is not given). `Accept: text/csv` gives `section,dimension,value,count` rows.",
)
async def monthly_indicators(
    request: Request, scope: ReportScope, session: ReadSession
) -> Response:
    series = await reports.monthly(session, scope)
    return _answer(request, series, f"ponte-monthly-{scope.date_from}-{scope.date_to}.csv")


@router.get(
    "/ladder",
    responses={
        **problems(403, 404, 422),
        **json_or_csv_responses(LadderReport),
    },
    summary="Progress on the employment ladder: moves by sector and territory, internships that "
    "turned into contracts by host",
    description="The same scope and parameters as `/indicators` (your organisation's pathways, "
    "every organisation's for platform admins; a period, a `municipality`, a `project_id`). "
    "Two tables, each with every margin (the level `total`):\n\n"
    "- `moves`: the moves on the employment ladder dated in the period by `direction` "
    "(`upward`, `level` or `downward`, by the ladder's ranks from exploitation to formal work), "
    "`sector` (the NACE Rev. 2 section of the job moved into; `not_recorded` when none was given "
    "or for a move out of work) and `municipality` (the person's);\n"
    "- `internships`: the internships done (completed) in the period by `host` (the providing "
    "organisation's id) and `outcome`: `converted` when the person entered contracted or "
    "registered work with the host between the internship's start and `conversion_months` (6) "
    "after its end, `pending` while that window is open, `not_converted` after.\n\n"
    'Each table is protected as a whole: cells of 1 to 4 show as "<5", and cells that would let '
    'one be worked out from the margins as "withheld" (exact for an org admin\'s own '
    "organisation). A table of more than 5,000 cells is refused with 422 (name a "
    "`municipality`). `Accept: text/csv` gives one row per cell: `table`, the dimensions, "
    "`count`.",
)
async def ladder(request: Request, scope: ReportScope, session: ReadSession) -> Response:
    report = await ladder_report.report(session, scope)
    name = f"ponte-ladder-{scope.date_from}-{scope.date_to}.csv"
    return _answer(request, report, name, ladder_report.csv_rows)


@router.get(
    "/fund-indicators",
    responses={
        **problems(403, 404, 422),
        **json_or_csv_responses(FundIndicatorsReport),
    },
    summary="The fund's common indicators for a project and period (AMIF, Annex VIII)",
    description="For the staff of the project's lead and partner organisations (any project for "
    "platform admins). Each indicator of Regulation (EU) 2021/1147, Annex VIII, specific "
    "objective 2, with its number, its words and, where Ponte's data supports it, what is "
    "counted, the participants counted, and their breakdowns by sex, age band and arrival "
    'band (small cells "<5"; cells that would let a small one be worked out from the total '
    '"withheld"); '
    "the others say why they are not computed (`docs/fund-indicators.md`). The period defaults "
    "to the project's current reporting period. `Accept: text/csv` gives "
    "`indicator,number,kind,breakdown,value,count` rows.",
)
async def fund_indicators_report(
    request: Request,
    principal: CurrentPrincipal,
    session: ReadSession,
    project_id: Annotated[
        uuid.UUID | None,
        Query(
            description="the project (required: checked after your role, so that a role that "
            "reads no report is told so first)"
        ),
    ] = None,
    date_from: Annotated[
        ReportDate | None, Query(description="default: the current reporting period's start")
    ] = None,
    date_to: Annotated[ReportDate | None, Query(description="default: its end")] = None,
) -> Response:
    longest: int = request.app.state.settings.indicators_max_days
    project, scope = await fund_indicators.scope_for(
        session, principal, project_id, date_from, date_to, longest
    )
    report = await fund_indicators.report(session, project, scope)
    name = f"ponte-fund-indicators-{project.id}-{scope.date_from}-{scope.date_to}.csv"
    return _answer(request, report, name, funds.to_csv_rows)


def _answer(
    request: Request,
    report: dict[str, Any],
    filename: str,
    rows: Callable[[dict[str, Any]], list[list[str]]] = to_csv_rows,
) -> Response:
    """The report as JSON, or as CSV ``rows`` (by default ``section,dimension,value,count``)."""
    return json_or_csv(request, report, filename, rows)
