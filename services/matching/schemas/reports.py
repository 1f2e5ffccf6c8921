"""The matching service's reports, as sent in JSON (``Accept: text/csv`` gives rows)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.report_schemas import Count, PublishedTable, ReportPeriod


class ReportHeading(BaseModel):
    period: ReportPeriod
    scope: str = Field(description='"all organisations", or the organisation\'s id')
    small_cells: str = Field(description="how small counts were published")
    generated_at: datetime


class ReferralsReport(ReportHeading):
    side: str = Field(description="`referrer` or `provider`: which referrals were counted")
    by: list[str] = Field(description="the table's dimensions, in order")
    referrals: PublishedTable


class EngagementHorizon(BaseModel):
    months: int
    measurable: Count = Field(description="people whose horizon has passed")
    reached: Count = Field(description="of them, those who reached a structured service")
    rate: float | None = Field(description="reached / measurable, null when either is hidden")


class EngagementReport(ReportHeading):
    cluster_id: str | None = Field(description="the cluster counted, or null for every one")
    cohort: Count = Field(description="people first seen at a low-threshold point")
    horizons: list[EngagementHorizon]
