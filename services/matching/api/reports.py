"""The matching service's reports, as JSON or CSV (``Accept: text/csv``):
``GET /api/v1/reports/referrals`` (why referrals end) and ``GET /api/v1/reports/engagement``
(whether a first contact at a low-threshold service point leads to a structured service)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.matching.db.referral_report import Side
from services.matching.schemas.reports import EngagementReport, ReferralsReport
from services.matching.service import engagement_report as engagement
from services.matching.service import reports
from shared.auth import CurrentPrincipal
from shared.dates import ReportDate
from shared.db import ReadSession
from shared.openapi import problems
from shared.responses import json_or_csv, json_or_csv_responses

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
# A report's period (``service.reports.period``): at most 1830 days
DateFrom = Annotated[ReportDate | None, Query(description="default: a year before date_to")]
DateTo = Annotated[ReportDate | None, Query(description="default: today")]


@router.get(
    "/referrals",
    responses={
        **problems(403, 422),
        **json_or_csv_responses(ReferralsReport),
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


@router.get(
    "/engagement",
    responses={
        **problems(403, 422),
        **json_or_csv_responses(EngagementReport),
    },
    summary="Engagement: people first seen at a low-threshold service point who reached a "
    "structured service within 3 and 6 months",
    description="Of the referrals your organisation made (platform admins: every "
    "organisation's; with `cluster_id`, only those made in that cluster), the **cohort** is the "
    "people whose first referral (the earliest created, to any target) went to a service point "
    "of tier `low_threshold` and was created in the period. A person **reached** a structured "
    "service within n months when a later referral of theirs (created after the first, before "
    "the first plus n calendar months, UTC) to a service point of tier `structured` or to an "
    "offer (training, course, internship, job: structured provision) was taken on by its "
    "provider: it is `accepted`, `enrolled` or `completed`, or `dropped` after enrolment "
    "(`enrolled_at` set; a service point has no enrolment, so a dropped referral to one never "
    "counts); proposed, rejected and dropped before enrolment do not. For each horizon (3 and 6 "
    "months), **measurable** counts the people whose window ended before today (UTC) and those "
    "who already reached it; `rate` is reached / measurable (3 decimals; null when either is "
    'not published or none are measurable). Counts of 1 to 4 people show as "<5", and a count '
    "that would let a small one be worked out from the others (measurable less reached, the "
    "horizons' differences, the cohort) as \"withheld\"; exact for your organisation's org "
    "admin. `Accept: text/csv` gives rows `measure,months,count`. At most 1830 days.",
)
async def engagement_report(
    request: Request,
    principal: CurrentPrincipal,
    session: ReadSession,
    cluster_id: Annotated[
        uuid.UUID | None, Query(description="only the referrals made in this cluster")
    ] = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response:
    scope, publication = engagement.scope_for(principal, cluster_id, date_from, date_to)
    report = await engagement.report(session, scope, publication)
    name = f"ponte-engagement-{scope.date_from}-{scope.date_to}.csv"
    return json_or_csv(request, report, name, engagement.csv_rows)
