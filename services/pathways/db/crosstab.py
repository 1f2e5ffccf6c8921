"""The cross-tabulated indicators' statement: the people reached in a report's scope (a pathway
opened in the period) counted per combination of the dimensions asked, the bands computed in SQL
so that the answer has as many rows as the table has inner cells, whatever the caseload."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, case, distinct, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.indicators import Scope, opened_in_scope
from services.pathways.domain.indicators import AGE_BANDS, ARRIVAL_BANDS, UNKNOWN
from services.pathways.domain.regions import nationality_group

# The dimensions a table may cross, in the order the report names them.
DIMENSIONS = ("sex", "age_band", "arrival_band", "nationality_group", "municipality")


def _band(value: Any, bands: Sequence[tuple[float, str]], scale: int) -> ColumnElement[str]:
    """The band of ``value`` (years times ``scale``) as ``domain.indicators`` bands it: the first
    whose lowest bound it reaches, from the highest down; "unknown" below them all, or null."""
    whens = [(value >= lowest * scale, literal(band)) for lowest, band in bands]
    return case(*whens, else_=literal(UNKNOWN))


def _expressions(rows: Any, scope: Scope) -> dict[str, ColumnElement[Any]]:
    """Each dimension's value of a person, as of the period's end (``age_band`` and
    ``arrival_band`` as ``domain.indicators.age_band`` and ``arrival_band``); nationality as
    stored: its group is read in Python, from the ISO code."""
    on = scope.date_to
    age = on.year - rows.c.birth_year
    months = (
        on.year * 12
        + on.month
        - (
            func.extract("year", rows.c.arrival_month) * 12
            + func.extract("month", rows.c.arrival_month)
        )
    )
    return {
        "sex": func.coalesce(rows.c.sex, UNKNOWN),
        "age_band": _band(age, AGE_BANDS, 1),
        "arrival_band": case(
            (months < 0, literal(UNKNOWN)), else_=_band(months, ARRIVAL_BANDS, 12)
        ),
        "nationality_group": rows.c.nationality,
        "municipality": func.coalesce(rows.c.municipality, UNKNOWN),
    }


async def people_reached(
    session: AsyncSession, scope: Scope, dimensions: Sequence[str]
) -> list[tuple[tuple[str, ...], int]]:
    """(the dimensions' values, people) of the people reached in the period, per combination;
    the same combination may come more than once (nationalities of one group)."""
    rows = opened_in_scope(scope)
    expressions = _expressions(rows, scope)
    chosen = [expressions[name].label(name) for name in dimensions]
    statement = select(*chosen, func.count(distinct(rows.c.beneficiary_id))).group_by(*chosen)
    found = []
    for *values, people in (await session.execute(statement)).all():
        cell = tuple(
            nationality_group(value) if name == "nationality_group" else value
            for name, value in zip(dimensions, values, strict=True)
        )
        found.append((cell, int(people)))
    return found
