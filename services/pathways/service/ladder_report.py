"""The ladder report (`GET /api/v1/reports/ladder`): progress along the employment ladder where
it happens (moves by direction, the sector moved into and the territory) and whether internships
turn into contracts with the organisations that host them. Each is one table with its margins,
protected as a whole the way the cross-tabulated indicators are (exact for an org admin's own
organisation)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import ladder_report as statements
from services.pathways.db.indicators import Scope
from services.pathways.domain.employment import CONVERSION_MONTHS
from services.pathways.domain.indicators import csv_cell
from services.pathways.service.reports import (
    heading,
    refuse_a_cut_of_a_table_by_municipality,
    shown,
    tabulated,
)
from shared import clock
from shared.crosstab import csv_rows as table_rows
from shared.crosstab import published, small_cells

MOVES = ("direction", "sector", "municipality")
INTERNSHIPS = ("host", "outcome")
TABLES = {"moves": MOVES, "internships": INTERNSHIPS}


async def report(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    exact = scope.publication.exact
    refuse_a_cut_of_a_table_by_municipality(scope, MOVES)
    moves = tabulated(MOVES, await statements.moves(session, scope), "query.municipality")
    today = clock.today()
    internships = tabulated(
        INTERNSHIPS, await statements.internships(session, scope, today), "query.municipality"
    )
    return {
        **heading(scope),
        "moves": {"by": list(MOVES), **published(moves, await shown(moves, exact))},
        "internships": {
            "by": list(INTERNSHIPS),
            "conversion_months": CONVERSION_MONTHS,
            **published(internships, await shown(internships, exact)),
        },
        "small_cells": small_cells(exact),
        "generated_at": clock.now().isoformat(),
    }


def csv_rows(report: dict[str, Any]) -> list[list[str]]:
    """Both tables, one row per cell: ``table``, every dimension of either (empty where a table
    has not got it), then ``count``; text a spreadsheet would run as a formula (a typed
    municipality) neutralised as the other reports' is."""
    columns = [name for dimensions in TABLES.values() for name in dimensions]
    rows = [["table", *columns, "count"]]
    for name, dimensions in TABLES.items():
        for cell in table_rows(dimensions, report[name]["cells"], csv_cell)[1:]:
            levels = dict(zip(dimensions, cell, strict=False))
            rows.append([name, *(levels.get(column, "") for column in columns), cell[-1]])
    return rows
