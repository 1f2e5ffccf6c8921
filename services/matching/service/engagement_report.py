"""The engagement report (`GET /api/v1/reports/engagement`): of the people first seen at a
low-threshold service point in a period (their first referral in scope went there), how many a
structured service (a structured service point or an offer) took on within 3 and within 6
months, over those whose window has ended or who already reached it.

Every published figure is a sum of one line of cells: the people per combination of their states
at the horizons (reached, missed, open), which add up to the cohort. Any two figures would give
a cell back (``measurable - reached`` is the people who missed; ``measurable`` at 3 months less
``measurable`` at 6, those whose longer window is still open), so the line is protected as a
whole (``shared.suppression.protect_line``) and a figure is shown only as far as what the line
shows gives it; exact for the organisation's own org admin."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Set
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import engagement_report as statements
from services.matching.db.engagement_report import HORIZONS, MISSED, REACHED, EngagementScope
from services.matching.service.reports import heading, period, reader
from shared import clock
from shared.auth import Principal
from shared.crosstab import small_cells
from shared.suppression import SUPPRESSED, WITHHELD, Publication

PROTECTED_SENTENCE = (
    'counts of 1 to 4 people show as "<5"; a count from which a small one could be worked out '
    'with the cohort and the other counts shows as "withheld" (and its rate as null); if the '
    "cohort itself could give one away, it is withheld too"
)


def scope_for(
    principal: Principal, cluster_id: uuid.UUID | None, date_from: date | None, date_to: date | None
) -> tuple[EngagementScope, Publication]:
    organisation, publication = reader(principal)
    since, until = period(date_from, date_to)
    return EngagementScope(organisation, cluster_id, since, until, clock.today()), publication


async def report(
    session: AsyncSession, scope: EngagementScope, publication: Publication
) -> dict[str, Any]:
    cells = await statements.states(session, scope)
    counts = {",".join(states): people for states, people in cells.items()}
    cohort = sum(counts.values())
    shown, shown_cohort = publication.line(counts, cohort)
    horizons = []
    for index, months in enumerate(HORIZONS):
        reached = {",".join(key) for key in cells if key[index] == REACHED}
        missed = {",".join(key) for key in cells if key[index] == MISSED}
        measurable_shown = _figure(counts, shown, shown_cohort, reached | missed)
        reached_shown = _figure(counts, shown, shown_cohort, reached)
        horizons.append(
            {
                "months": months,
                "measurable": measurable_shown,
                "reached": reached_shown,
                "rate": _rate(reached_shown, measurable_shown),
            }
        )
    return {
        **heading(scope.organization_id, scope.date_from, scope.date_to),
        "cluster_id": None if scope.cluster_id is None else str(scope.cluster_id),
        "cohort": shown_cohort,
        "horizons": horizons,
        "small_cells": small_cells(True) if publication.exact else PROTECTED_SENTENCE,
        "generated_at": clock.now().isoformat(),
    }


def _figure(
    counts: Mapping[str, int],
    shown: Mapping[str, int | str],
    cohort: int | str,
    members: Set[str],
) -> int | str:
    """The sum of the cells ``members`` as it may be published: the count when the cells shown
    (and the cohort, when shown) give it; otherwise the marker of its one hidden cell when the
    rest of it is empty, "<5" under a small cohort, and "withheld" else (a marker on a sum of
    several hidden cells would narrow them)."""
    hidden = {key for key, value in shown.items() if not isinstance(value, int)}
    inside = hidden & members
    if not inside or (isinstance(cohort, int) and hidden <= members):
        return sum(counts[key] for key in members)
    if cohort == SUPPRESSED:
        return SUPPRESSED
    if len(inside) == 1 and not any(counts[key] for key in members - inside):
        return shown[next(iter(inside))]
    return WITHHELD


def _rate(reached: int | str, measurable: int | str) -> float | None:
    """Reached over measurable, when both are published and some are measurable."""
    if isinstance(reached, int) and isinstance(measurable, int) and measurable > 0:
        return round(reached / measurable, 3)
    return None


def csv_rows(report: dict[str, Any]) -> list[list[str]]:
    """``measure,months,count``: the cohort, then each horizon's measurable and reached."""
    rows = [["measure", "months", "count"], ["cohort", "", str(report["cohort"])]]
    for horizon in report["horizons"]:
        for measure in ("measurable", "reached"):
            rows.append([measure, str(horizon["months"]), str(horizon[measure])])
    return rows
