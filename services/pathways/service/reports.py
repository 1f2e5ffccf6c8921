"""The indicators funders ask for, computed in SQL over the pathways the caller's organisation
ran (every organisation's for platform admins), with small cells shown as "<5" so that nobody is
re-identified by small numbers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import (
    Action,
    EmploymentChange,
    FollowUp,
    Pathway,
    Person,
    RightsViolation,
)
from services.pathways.domain.employment import FORMAL
from services.pathways.domain.indicators import age_band, retention, suppress


@dataclass(frozen=True)
class Scope:
    date_from: date
    date_to: date
    municipality: str | None
    organization_id: Any  # None: every organisation (platform admins)


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if scope.organization_id is not None:
        conditions.append(Pathway.organization_id == scope.organization_id)
    if scope.municipality is not None:
        conditions.append(Person.municipality == scope.municipality)
    return and_(*conditions)


def _period(column: Any, scope: Scope) -> ColumnElement[bool]:
    start = datetime.combine(scope.date_from, time.min, tzinfo=UTC)
    end = datetime.combine(scope.date_to, time.max, tzinfo=UTC)
    condition: ColumnElement[bool] = column.between(start, end)
    return condition


def _counts(counter: Counter[str]) -> dict[str, int | str]:
    return {key: suppress(value) for key, value in sorted(counter.items())}


def _breakdown(groups: list[Any], on: date) -> dict[str, Any]:
    """Totals by sex, age band, nationality and municipality from rows already grouped in SQL
    (one row per combination, with its ``people``): the work is the number of combinations, not
    of pathways, so a large territory's report costs the event loop little."""
    by: dict[str, Counter[str]] = {
        "sex": Counter(),
        "age": Counter(),
        "nationality": Counter(),
        "municipality": Counter(),
    }
    for row in groups:
        by["sex"][row.sex or "unknown"] += row.people
        by["age"][age_band(row.birth_year, on)] += row.people
        by["nationality"][row.nationality or "unknown"] += row.people
        by["municipality"][row.municipality or "unknown"] += row.people
    return {
        "total": suppress(sum(row.people for row in groups)),
        "by_sex": _counts(by["sex"]),
        "by_age_band": _counts(by["age"]),
        "by_nationality": _counts(by["nationality"]),
        "by_municipality": _counts(by["municipality"]),
    }


async def _grouped(session: AsyncSession, rows: Any, counted: Any) -> list[Any]:
    """``rows`` (a subquery with the person's columns) counted per combination of them."""
    columns = (rows.c.sex, rows.c.nationality, rows.c.birth_year, rows.c.municipality)
    query = select(*columns, counted.label("people")).group_by(*columns)
    return list((await session.execute(query)).all())


async def indicators(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    base = (
        select(Pathway.id)
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(_in_scope(scope))
    )
    scoped = base.subquery()
    opened = (
        select(
            Pathway.id,
            Pathway.beneficiary_id,
            Pathway.outcome,
            Person.sex,
            Person.nationality,
            Person.birth_year,
            Person.municipality,
        )
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(_in_scope(scope), _period(Pathway.opened_at, scope))
    )
    opened_rows = opened.subquery()
    pathways_opened = await _grouped(session, opened_rows, func.count())
    people_reached = await _grouped(
        session, opened_rows, func.count(distinct(opened_rows.c.beneficiary_id))
    )
    closed = (
        await session.execute(
            select(Pathway.outcome, func.count())
            .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
            .where(_in_scope(scope), _period(Pathway.closed_at, scope))
            .group_by(Pathway.outcome)
        )
    ).all()
    actions = (
        await session.execute(
            select(Action.type, Action.status, func.count())
            .where(Action.pathway_id.in_(select(scoped.c.id)), _period(Action.created_at, scope))
            .group_by(Action.type, Action.status)
        )
    ).all()
    by_type: dict[str, dict[str, int | str]] = {}
    for kind, status, count in actions:
        by_type.setdefault(kind, {})[status] = suppress(count)

    previous = func.lag(EmploymentChange.status).over(
        partition_by=EmploymentChange.pathway_id,
        order_by=(EmploymentChange.effective_on, EmploymentChange.id),
    )
    ladder = (
        select(
            EmploymentChange.pathway_id,
            EmploymentChange.status,
            EmploymentChange.effective_on,
            previous.label("previous"),
        )
        .where(EmploymentChange.pathway_id.in_(select(scoped.c.id)))
        .subquery()
    )
    moves = (
        await session.execute(
            select(ladder.c.previous, ladder.c.status, func.count())
            .where(
                ladder.c.previous.is_not(None),
                ladder.c.effective_on.between(scope.date_from, scope.date_to),
            )
            .group_by(ladder.c.previous, ladder.c.status)
        )
    ).all()
    matrix: dict[str, dict[str, int | str]] = {}
    for before, after, count in moves:
        matrix.setdefault(before, {})[after] = suppress(count)

    formal = [status.value for status in FORMAL]
    first_formal = (
        select(ladder.c.pathway_id, func.min(ladder.c.effective_on).label("on"))
        .where(
            ladder.c.status.in_(formal),
            ladder.c.previous.is_not(None),
            ladder.c.previous.not_in(formal),
        )
        .group_by(ladder.c.pathway_id)
        .subquery()
    )
    days = func.extract(
        "day", func.cast(first_formal.c.on, Pathway.opened_at.type) - Pathway.opened_at
    )
    median_days, reaching = (
        await session.execute(
            select(func.percentile_cont(0.5).within_group(days), func.count(distinct(Pathway.id)))
            .join(first_formal, first_formal.c.pathway_id == Pathway.id)
            .where(_period(Pathway.opened_at, scope), Pathway.id.in_(select(scoped.c.id)))
        )
    ).one()

    follow_ups = (
        await session.execute(
            select(FollowUp.months, FollowUp.still_in_work).where(
                FollowUp.pathway_id.in_(select(scoped.c.id)),
                FollowUp.due_on.between(scope.date_from, scope.date_to),
            )
        )
    ).all()
    kept = retention((row.months, row.still_in_work) for row in follow_ups)

    violations = (
        await session.execute(
            select(RightsViolation.item, func.count())
            .where(
                RightsViolation.pathway_id.in_(select(scoped.c.id)),
                RightsViolation.resolved_at.is_(None),
            )
            .group_by(RightsViolation.item)
        )
    ).all()

    on = scope.date_to
    return {
        "period": {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()},
        "scope": "all organisations"
        if scope.organization_id is None
        else str(scope.organization_id),
        "territory": scope.municipality,
        "people_reached": _breakdown(people_reached, on),
        "pathways_opened": _breakdown(pathways_opened, on),
        "pathways_closed": {
            "by_outcome": {outcome or "unknown": suppress(count) for outcome, count in closed}
        },
        "actions": {"by_type_and_status": by_type},
        "employment_transitions": matrix,
        "first_formal_contract": {
            "median_days": round(float(median_days), 1)
            if median_days is not None and reaching >= 5
            else None,
            "people": suppress(int(reaching)),
        },
        "retention": {
            f"{months}_months": {
                "due": suppress(cell["due"]),
                "recorded": suppress(cell["recorded"]),
                "in_work": suppress(cell["in_work"]),
                "rate": cell["rate"] if cell["recorded"] >= 5 else None,
            }
            for months, cell in sorted(kept.items())
        },
        "open_rights_violations": {
            "total": suppress(sum(count for _item, count in violations)),
            "by_item": {item: suppress(count) for item, count in violations},
        },
        "small_cells": "counts of 1 to 4 show as <5; medians and rates over fewer than 5 "
        "people are withheld",
        "generated_at": datetime.now(UTC).isoformat(),
    }
