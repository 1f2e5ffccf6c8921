"""The cross-tabulated indicators' statement: the people reached in a report's scope (a pathway
opened in the period) counted per combination of the dimensions asked, the bands computed in SQL
so that the answer has as many rows as the table has inner cells, whatever the caseload."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.indicators import Scope, opened_in_scope, person_dimensions
from services.pathways.domain.regions import nationality_group

# The dimensions a table may cross, in the order the report names them.
DIMENSIONS = ("sex", "age_band", "arrival_band", "nationality_group", "municipality")


async def people_reached(
    session: AsyncSession, scope: Scope, dimensions: Sequence[str]
) -> list[tuple[tuple[str, ...], int]]:
    """(the dimensions' values, people) of the people reached in the period, per combination;
    the same combination may come more than once (nationalities of one group)."""
    rows = opened_in_scope(scope)
    expressions = person_dimensions(rows, scope.date_to)
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
