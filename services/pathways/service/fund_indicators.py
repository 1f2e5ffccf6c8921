"""The fund's common indicators for one project and period (`GET /api/v1/reports/fund-indicators`):
each indicator Ponte's data supports, counted in participants of the project, with its total and
its breakdowns by sex, age band and arrival band (beside the total: complementary suppression);
the others listed with the reason they are not computed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import fund_indicators as statements
from services.pathways.db import projects as repository
from services.pathways.db.fund_indicators import FundScope
from services.pathways.db.funding_models import Project
from services.pathways.domain.actions import ActionType
from services.pathways.domain.funds import (
    INDICATORS,
    Indicator,
    default_period,
    people_improving,
    reporting_periods,
)
from services.pathways.errors import MayNotReadIndicators, ProjectRequired
from services.pathways.service.reports import breakdown, check_period
from shared import clock
from shared.auth import REPORT_ROLES, Principal
from shared.suppression import PROTECTED


async def scope_for(
    session: AsyncSession,
    principal: Principal,
    project_id: uuid.UUID | None,
    date_from: date | None,
    date_to: date | None,
    longest: int,
) -> tuple[Project, FundScope]:
    """The project (the caller's organisation leads it or is a partner; any for platform
    admins) and the period: the one asked, or the current reporting period."""
    if principal.organization_id is None or not principal.has(*REPORT_ROLES):
        raise MayNotReadIndicators()
    if project_id is None:
        raise ProjectRequired()
    organisation = None if principal.is_platform_admin else principal.organization_id
    project = await repository.get(session, project_id, organisation)
    default_from, default_to = default_period(
        project.starts_on,
        project.ends_on,
        reporting_periods(project.reporting_periods),
        clock.now().date(),
    )
    since, until = date_from or default_from, date_to or default_to
    check_period(since, until, longest)
    organisations = (project.organization_id, *project.partner_organization_ids)
    return project, FundScope(project.id, tuple(organisations), since, until)


# What the fund asks of participants; always protected, as the counts take in the partners' people.
BREAKDOWNS = ("sex", "age_band", "arrival_band")


def _breakdown(groups: Sequence[Any], on: date) -> dict[str, Any]:
    return breakdown(groups, on, PROTECTED, BREAKDOWNS)


async def _counted(session: AsyncSession, scope: FundScope, indicator: Indicator) -> list[Any]:
    match indicator.code:
        case "language_course":
            return await statements.in_actions(session, scope, [ActionType.LANGUAGE_COURSE])
        case "civic_orientation":
            return await statements.in_actions(session, scope, [ActionType.CIVIC_ORIENTATION])
        case "individual_guidance":
            return await statements.guided(session, scope)
        case "language_level_improved":
            records = await statements.language_levels(session, scope)
            return await statements.profiles(session, people_improving(records))
        case "helped_integration":
            return await statements.helped(session, scope)
        case "recognition_applied":
            return await statements.applied_for_recognition(session, scope)
    raise AssertionError(f"no statement for {indicator.code}")  # a supported one without SQL


async def report(session: AsyncSession, project: Project, scope: FundScope) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for indicator in INDICATORS:
        item: dict[str, Any] = {
            "code": indicator.code,
            "kind": indicator.kind,
            "number": indicator.number,
            "name": indicator.name,
            "reference": indicator.reference,
            "supported": indicator.basis is not None,
        }
        if indicator.basis is None:
            item["not_supported_because"] = indicator.not_supported_because
        else:
            item["counted"] = indicator.basis
            item.update(_breakdown(await _counted(session, scope, indicator), scope.date_to))
        items.append(item)
    return {
        "project": {
            "id": str(project.id),
            "name": project.name,
            "fund": project.fund,
            "grant_code": project.grant_code,
        },
        "period": {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()},
        "participants": _breakdown(await statements.enrolled(session, scope), scope.date_to),
        "indicators": items,
        "small_cells": "counts of 1 to 4 show as <5; beside a total, other cells show as "
        "withheld where a small one could otherwise be worked out from the total",
        "generated_at": clock.now().isoformat(),
    }
