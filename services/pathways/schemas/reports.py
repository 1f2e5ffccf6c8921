"""The pathways service's reports, as sent in JSON (``Accept: text/csv`` gives rows). Written as
JSON directly (``shared.responses.json_or_csv``); the reports' tests check them against these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.report_schemas import Count, PublishedTable, ReportPeriod


class ReportHeading(BaseModel):
    period: ReportPeriod
    scope: str = Field(description='"all organisations", or the organisation\'s id')
    territory: str | None = Field(description="the `municipality` asked for, or null")
    project: str | None = Field(description="the `project_id` asked for, or null")


class _Footer(BaseModel):
    small_cells: str = Field(description="how small counts were published")
    generated_at: datetime


class CrosstabReport(ReportHeading, _Footer):
    by: list[str] = Field(description="the dimensions crossed (`by`), in order")
    people_reached: PublishedTable


class IndicatorsReport(ReportHeading, _Footer):
    """The report's sections: counts protected as `Count`s, each section its own breakdowns
    (by sex, age band, arrival band, nationality, municipality; by type and status)."""

    people_reached: dict[str, Any] = Field(description="the total and its breakdowns")
    pathways_opened: dict[str, Any] = Field(description="the total and its breakdowns")
    pathways_closed: dict[str, Any] = Field(description="by outcome")
    actions: dict[str, Any] = Field(description="by type and by status")
    employment_transitions: dict[str, Any] = Field(description="the matrix, from and to")
    placements: dict[str, Any] = Field(description="by sector (NACE section)")
    business_milestones: dict[str, Count] = Field(description="by milestone")
    first_formal_contract: dict[str, Any] = Field(description="the median days to it")
    retention: dict[str, Any] = Field(description="at 3, 6 and 12 months")
    open_rights_violations: dict[str, Any] = Field(description="by right")


class MonthlySeries(BaseModel):
    total: Count | None = Field(description="over the period (null for people reached)")
    by_month: dict[str, Count] = Field(description="by `YYYY-MM`")


class MonthlyIndicators(ReportHeading):
    months: list[str] = Field(description="every `YYYY-MM` of the period, in order")
    pathways_opened: MonthlySeries
    people_reached: MonthlySeries
    pathways_closed: MonthlySeries
    placements: MonthlySeries
    generated_at: datetime


class LadderTable(PublishedTable):
    by: list[str] = Field(description="the table's dimensions, in order")


class InternshipTable(LadderTable):
    conversion_months: int = Field(description="the window after an internship's end")


class LadderReport(ReportHeading, _Footer):
    moves: LadderTable
    internships: InternshipTable


class FundProject(BaseModel):
    id: str
    name: str
    fund: str
    grant_code: str | None


class FundIndicatorsReport(_Footer):
    project: FundProject
    period: ReportPeriod
    participants: dict[str, Any] = Field(
        description="the participants counted, by sex, age band and arrival band"
    )
    indicators: list[dict[str, Any]] = Field(
        description="each indicator of Regulation (EU) 2021/1147, Annex VIII: its number, words "
        "and either what is counted with its breakdowns or why it is not computed "
        "(docs/fund-indicators.md)"
    )
