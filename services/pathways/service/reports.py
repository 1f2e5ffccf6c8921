"""The indicators funders ask for, one function per indicator, computed in SQL (``db.indicators``)
over the pathways the caller's organisation ran (every organisation's for platform admins), with
small cells shown as "<5" so that nobody is re-identified by small numbers; exact for the
organisation's org admins, who may open every record counted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import crosstab as crosstab_statements
from services.pathways.db import indicators as statements
from services.pathways.db import projects as projects_repository
from services.pathways.db.crosstab import DIMENSIONS
from services.pathways.db.indicators import Scope
from services.pathways.domain.indicators import breakdowns, retention
from services.pathways.errors import InvalidCrossTab, InvalidPeriod, MayNotReadIndicators
from shared import clock
from shared.auth import REPORT_ROLES, Principal, Role
from shared.crosstab import (
    MAX_DIMENSIONS,
    Cell,
    CrossTab,
    TableTooLarge,
    cross_tabulate,
    protect,
    published,
    small_cells,
)
from shared.crosstab import shown as crosstab_cells
from shared.offload import run_in_process
from shared.suppression import Publication

__all__ = ["Scope", "breakdown", "check_period", "crosstab", "indicators", "scope_for"]
DEFAULT_PERIOD = timedelta(days=365)
# A cross-tab this small is protected inline (a few milliseconds); larger ones in the pool.
INLINE_CELLS = 128
# The breakdowns of the people an indicator counts, in the order the report gives them.
PEOPLE = ("sex", "age_band", "arrival_band", "nationality", "municipality")


async def scope_for(
    session: AsyncSession,
    principal: Principal,
    date_from: date | None,
    date_to: date | None,
    municipality: str | None,
    project_id: uuid.UUID | None,
    longest: int,
) -> Scope:
    """What a report covers: the caller's organisation (every one for platform admins), the
    period (a year up to today by default; at most ``longest`` days), the territory, and the
    project whose participants only it counts (one the organisation leads or is a partner of:
    404 otherwise)."""
    if principal.organization_id is None or not principal.has(*REPORT_ROLES):
        raise MayNotReadIndicators()
    # Today by the server's local calendar (as ``date.today()`` gave), read from the shared clock.
    until = date_to or clock.now().astimezone().date()
    since = date_from or until - DEFAULT_PERIOD
    check_period(since, until, longest)
    own = not principal.is_platform_admin
    if project_id is not None:
        await projects_repository.get(
            session, project_id, principal.organization_id if own else None
        )
    return Scope(
        date_from=since,
        date_to=until,
        municipality=municipality,
        organization_id=principal.organization_id if own else None,
        # An org admin may open every record its organisation's pathways count: exact counts.
        publication=Publication(exact=own and principal.acts_as(Role.ORG_ADMIN)),
        project_id=project_id,
    )


def dimensions_of(by: str) -> tuple[str, ...]:
    """The dimensions ``by`` names (comma-separated), checked: known, each once, at most
    ``MAX_DIMENSIONS`` (422 otherwise)."""
    names = tuple(name.strip() for name in by.split(","))
    unknown = [name for name in names if name not in DIMENSIONS]
    if unknown:
        raise InvalidCrossTab(
            f"The report crosses {', '.join(DIMENSIONS)}; not {', '.join(unknown)}.",
            "unknown dimension",
        )
    if len(set(names)) != len(names):
        raise InvalidCrossTab("Name each dimension once.", "a dimension named twice")
    if len(names) > MAX_DIMENSIONS:
        raise InvalidCrossTab(
            f"A table crosses at most {MAX_DIMENSIONS} dimensions.", "too many dimensions"
        )
    return names


def check_period(since: date, until: date, longest: int) -> None:
    """422 for a reversed period, or one longer than ``longest`` days (which bounds the rows one
    report counts: a funder's series is asked period by period)."""
    if since > until:
        raise InvalidPeriod("date_from is after date_to.", "after date_to")
    if (until - since).days > longest:
        raise InvalidPeriod(
            f"A report covers at most {longest} days; ask for shorter periods.",
            f"more than {longest} days before date_to",
        )


def breakdown(
    groups: Sequence[Any], on: date, publication: Publication, names: Sequence[str] = PEOPLE
) -> dict[str, Any]:
    """The total of the people in ``groups`` (rows grouped in SQL by the person's columns, each
    with its ``people``) and its breakdowns ``names``, published together (``protect_lines``
    unless exact)."""
    lines, total = breakdowns(groups, on, names)
    return _published(lines, total, publication)


def _published(
    lines: dict[str, dict[str, int]], total: int, publication: Publication
) -> dict[str, Any]:
    shown, shown_total = publication.lines(lines, total)
    return {"total": shown_total, **{f"by_{name}": shown[name] for name in lines}}


async def people_reached(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    lines, total = await statements.people_reached(session, scope, PEOPLE)
    return _published(lines, total, scope.publication)


async def pathways_opened(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    lines, total = await statements.pathways_opened(session, scope, PEOPLE)
    return _published(lines, total, scope.publication)


async def pathways_closed(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    closed = await statements.pathways_closed(session, scope)
    shown = scope.publication.count
    return {"by_outcome": {outcome or "unknown": shown(count) for outcome, count in closed}}


async def actions(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    by_type: dict[str, dict[str, int | str]] = {}
    for kind, status, count in await statements.actions(session, scope):
        by_type.setdefault(kind, {})[status] = scope.publication.count(count)
    return {"by_type_and_status": by_type}


async def employment_transitions(
    session: AsyncSession, scope: Scope
) -> dict[str, dict[str, int | str]]:
    matrix: dict[str, dict[str, int | str]] = {}
    for before, after, count in await statements.employment_transitions(session, scope):
        matrix.setdefault(before, {})[after] = scope.publication.count(count)
    return matrix


async def placements_by_sector(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Placements in the period by the sector (NACE section) of the job entered, beside their
    total."""
    rows = await statements.placements_by_sector(session, scope)
    counts = {
        sector or "unknown": count for sector, count in sorted(rows, key=lambda r: r[0] or "~")
    }
    by_sector, total = scope.publication.line(counts, sum(counts.values()))
    return {"total": total, "by_sector": by_sector}


async def first_formal_contract(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    median_days, reaching = await statements.first_formal_contract(session, scope)
    shown = median_days is not None and scope.publication.enough(int(reaching))
    return {
        "median_days": round(float(median_days), 1) if shown else None,
        "people": scope.publication.count(int(reaching)),
    }


async def retention_rates(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    follow_ups = await statements.follow_ups(session, scope)
    kept = retention((row.months, row.still_in_work) for row in follow_ups)
    publish = scope.publication
    return {
        f"{months}_months": {
            "due": publish.count(cell["due"]),
            "recorded": publish.count(cell["recorded"]),
            "in_work": publish.count(cell["in_work"]),
            "rate": cell["rate"] if publish.enough(cell["recorded"]) else None,
        }
        for months, cell in sorted(kept.items())
    }


async def open_rights_violations(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    violations = await statements.open_rights_violations(session, scope)
    total_count = sum(count for _item, count in violations)
    by_item, total = scope.publication.line(dict(violations), total_count)
    return {"total": total, "by_item": by_item}


def heading(scope: Scope) -> dict[str, Any]:
    """What a report covers, as its first keys."""
    return {
        "period": {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()},
        "scope": "all organisations"
        if scope.organization_id is None
        else str(scope.organization_id),
        "territory": scope.municipality,
        "project": None if scope.project_id is None else str(scope.project_id),
    }


async def indicators(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    opened = await pathways_opened(session, scope)
    reached = await people_reached(session, scope)
    return {
        **heading(scope),
        "people_reached": reached,
        "pathways_opened": opened,
        "pathways_closed": await pathways_closed(session, scope),
        "actions": await actions(session, scope),
        "employment_transitions": await employment_transitions(session, scope),
        "placements": await placements_by_sector(session, scope),
        "business_milestones": {
            name: scope.publication.count(count)
            for name, count in (await statements.business_milestones(session, scope)).items()
        },
        "first_formal_contract": await first_formal_contract(session, scope),
        "retention": await retention_rates(session, scope),
        "open_rights_violations": await open_rights_violations(session, scope),
        "small_cells": "exact: your organisation's own counts, for its org admin"
        if scope.publication.exact
        else "counts of 1 to 4 show as <5; beside a total, other cells show as withheld where "
        "a small one could otherwise be worked out from the total; medians and rates over fewer "
        "than 5 people are withheld",
        "generated_at": clock.now().isoformat(),
    }


def months_between(since: date, until: date) -> list[str]:
    """Every ``YYYY-MM`` from ``since``'s month to ``until``'s, in order."""
    months, year, month = [], since.year, since.month
    while (year, month) <= (until.year, until.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


async def monthly(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Each measure month by month, beside its total over the period: one line of that total,
    protected as a breakdown is (a month of 1 to 4 cannot be worked out from the others and the
    total, which the yearly report may show; if only withholding the total would protect it,
    every month is withheld)."""
    months = months_between(scope.date_from, scope.date_to)
    series: dict[str, Any] = {}
    for name, rows in (await statements.monthly(session, scope)).items():
        counts = dict.fromkeys(months, 0) | dict(rows)
        lines, total = scope.publication.lines({"month": counts}, sum(counts.values()))
        series[name] = {"total": total, "by_month": lines["month"]}
    series["people_reached"]["total"] = None  # a person reached in two months is one person
    return {
        **heading(scope),
        "months": months,
        **series,
        "generated_at": clock.now().isoformat(),
    }


def refuse_a_cut_of_a_table_by_municipality(scope: Scope, by: Sequence[str]) -> None:
    """A table by municipality cut to one municipality, protected on its own, could give back
    with the whole table what either hides (their patterns differ): a protected reader reads the
    municipality's cells in the whole table instead (exact readers may cut it)."""
    if scope.municipality is not None and "municipality" in by and not scope.publication.exact:
        raise InvalidCrossTab(
            "This table is by municipality: read the municipality's cells in the whole table "
            "rather than a table cut to it.",
            "not with a table by municipality",
            "query.municipality",
        )


def tabulated(dimensions: Sequence[str], rows: Sequence[tuple[Cell, int]], field: str) -> CrossTab:
    """The table of ``rows``; too many cells: 422 on ``field``, the parameter that widens it."""
    try:
        return cross_tabulate(dimensions, rows)
    except TableTooLarge as error:
        raise InvalidCrossTab(
            f"This table would have {error.cells} cells; cross fewer dimensions or a narrower "
            "territory.",
            "too many cells",
            field,
        ) from error


async def shown(table: CrossTab, exact: bool) -> dict[Cell, int | str]:
    """Every cell as published: exact, or protected as a whole table (``shared.crosstab.protect``;
    in the process pool beyond ``INLINE_CELLS``, since its search grows with the table)."""
    if exact or len(table.counts) <= INLINE_CELLS:
        return crosstab_cells(table, exact)
    # pure Python holding the GIL: the process pool, as intake's duplicate scoring
    return await run_in_process(protect, table)


async def crosstab(session: AsyncSession, scope: Scope, by: Sequence[str]) -> dict[str, Any]:
    """The people reached in the scope crossed by the dimensions ``by``, every margin with them;
    protected as a whole table unless exact (``shown``). It replaces the
    one-dimension breakdowns: published beside them, each protected on its own, the two could
    give back what either hid."""
    refuse_a_cut_of_a_table_by_municipality(scope, by)
    rows = await crosstab_statements.people_reached(session, scope, by)
    table = tabulated(by, rows, "query.by")
    exact = scope.publication.exact
    return {
        **heading(scope),
        "by": list(by),
        "people_reached": published(table, await shown(table, exact)),
        "small_cells": small_cells(exact),
        "generated_at": clock.now().isoformat(),
    }
