"""The indicators' statements, one per indicator, over the pathways in a report's scope (the
caller's organisation, or every organisation for platform admins; a territory; a period).
People are counted by each breakdown in SQL (grouping sets, the bands reckoned there), so a large
territory's report costs the event loop a row per value of each breakdown, not per pathway."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Subquery,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.funding_models import ProjectParticipant
from services.pathways.db.models import (
    Action,
    EmploymentChange,
    FollowUp,
    Pathway,
    Person,
    RightsViolation,
)
from services.pathways.domain.actions import BUSINESS_MILESTONES
from services.pathways.domain.employment import FORMAL, PLACED
from services.pathways.domain.indicators import AGE_BANDS, ARRIVAL_BANDS, UNKNOWN
from shared.suppression import PROTECTED, Publication


@dataclass(frozen=True)
class Scope:
    date_from: date
    date_to: date
    municipality: str | None
    organization_id: Any  # None: every organisation (platform admins)
    publication: Publication = PROTECTED  # exact for the organisation's org admins
    project_id: Any = None  # only the people enrolled in this project (by the period's end)


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if scope.organization_id is not None:
        conditions.append(Pathway.organization_id == scope.organization_id)
    if scope.municipality is not None:
        conditions.append(Person.municipality == scope.municipality)
    if scope.project_id is not None:
        enrolled = select(ProjectParticipant.beneficiary_id).where(
            ProjectParticipant.project_id == scope.project_id,
            ProjectParticipant.enrolled_on <= scope.date_to,
        )
        conditions.append(Pathway.beneficiary_id.in_(enrolled))
    return and_(*conditions)


def in_period(column: Any, scope: Scope) -> ColumnElement[bool]:
    start = datetime.combine(scope.date_from, time.min, tzinfo=UTC)
    end = datetime.combine(scope.date_to, time.max, tzinfo=UTC)
    condition: ColumnElement[bool] = column.between(start, end)
    return condition


def scoped_pathways(scope: Scope) -> Subquery:
    """The ids of the pathways in scope, whenever they were opened."""
    return (
        select(Pathway.id)
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(_in_scope(scope))
        .subquery()
    )


def opened_in_scope(scope: Scope) -> Subquery:
    """The pathways in scope opened in the period, with their person's columns."""
    return (
        select(
            Pathway.id,
            Pathway.beneficiary_id,
            Pathway.outcome,
            Pathway.opened_at,
            Person.sex,
            Person.nationality,
            Person.birth_year,
            Person.arrival_month,
            Person.municipality,
        )
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(_in_scope(scope), in_period(Pathway.opened_at, scope))
        .subquery()
    )


def _band(value: Any, bands: Sequence[tuple[float, str]], scale: int) -> ColumnElement[str]:
    """The band of ``value`` (years times ``scale``) as ``domain.indicators`` bands it: the first
    whose lowest bound it reaches, from the highest down; "unknown" below them all, or null."""
    whens = [(value >= lowest * scale, literal(band)) for lowest, band in bands]
    return case(*whens, else_=literal(UNKNOWN))


def person_dimensions(rows: Any, on: date) -> dict[str, ColumnElement[Any]]:
    """Each breakdown's value of a person in ``rows``, as of ``on`` (``age_band`` and
    ``arrival_band`` as ``domain.indicators.age_band`` and ``arrival_band`` reckon them), never
    null; ``nationality_group`` is the ISO code, grouped in Python (``domain.regions``)."""
    age = on.year - rows.c.birth_year
    arrived = func.extract("year", rows.c.arrival_month) * 12 + func.extract(
        "month", rows.c.arrival_month
    )
    months = on.year * 12 + on.month - arrived
    nationality = func.coalesce(rows.c.nationality, UNKNOWN)
    return {
        "sex": func.coalesce(rows.c.sex, UNKNOWN),
        "age_band": _band(age, AGE_BANDS, 1),
        "arrival_band": case(
            (months < 0, literal(UNKNOWN)), else_=_band(months, ARRIVAL_BANDS, 12)
        ),
        "nationality": nationality,
        "nationality_group": nationality,
        "municipality": func.coalesce(rows.c.municipality, UNKNOWN),
    }


async def _lines(
    session: AsyncSession, rows: Subquery, counted: Any, scope: Scope, names: Sequence[str]
) -> tuple[dict[str, dict[str, int]], int]:
    """The breakdowns ``names`` of the rows counted (each value's count, values sorted) and their
    total, in one statement of grouping sets: one row per value of each breakdown, whatever the
    caseload."""
    dimensions = person_dimensions(rows, scope.date_to)
    chosen = [dimensions[name].label(name) for name in names]
    sets = func.grouping_sets(*(tuple_(column) for column in chosen), tuple_())
    grouped_out = func.grouping(*chosen).label("grouped_out")
    statement = select(*chosen, grouped_out, counted.label("people")).group_by(sets)
    lines: dict[str, dict[str, int]] = {name: {} for name in names}
    total = 0
    everything = (1 << len(names)) - 1
    for row in (await session.execute(statement)).all():
        if row.grouped_out == everything:
            total = int(row.people)
            continue
        # grouping() sets a bit for each column summed over, the first name the highest bit
        kept = next(
            n for n, _ in enumerate(names) if not row.grouped_out >> (len(names) - 1 - n) & 1
        )
        lines[names[kept]][row[kept]] = int(row.people)
    return {name: dict(sorted(values.items())) for name, values in lines.items()}, total


async def pathways_opened(
    session: AsyncSession, scope: Scope, names: Sequence[str]
) -> tuple[dict[str, dict[str, int]], int]:
    """Pathways opened in the period, by each of the breakdowns ``names``, and their total."""
    return await _lines(session, opened_in_scope(scope), func.count(), scope, names)


async def people_reached(
    session: AsyncSession, scope: Scope, names: Sequence[str]
) -> tuple[dict[str, dict[str, int]], int]:
    """People with a pathway opened in the period, by each breakdown (as ``pathways_opened``)."""
    opened = opened_in_scope(scope)
    return await _lines(
        session, opened, func.count(distinct(opened.c.beneficiary_id)), scope, names
    )


async def pathways_closed(session: AsyncSession, scope: Scope) -> Sequence[Any]:
    """(outcome, count) of the pathways closed in the period."""
    statement = (
        select(Pathway.outcome, func.count())
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(_in_scope(scope), in_period(Pathway.closed_at, scope))
        .group_by(Pathway.outcome)
    )
    return (await session.execute(statement)).all()


async def actions(session: AsyncSession, scope: Scope) -> Sequence[Any]:
    """(type, status, count) of the actions created in the period."""
    scoped = scoped_pathways(scope)
    statement = (
        select(Action.type, Action.status, func.count())
        .where(Action.pathway_id.in_(select(scoped.c.id)), in_period(Action.created_at, scope))
        .group_by(Action.type, Action.status)
    )
    return (await session.execute(statement)).all()


def ladder_rungs(scoped: Subquery) -> Subquery:
    """Every rung of the pathways' employment ladders, with the status before it."""
    previous = func.lag(EmploymentChange.status).over(
        partition_by=EmploymentChange.pathway_id,
        order_by=(EmploymentChange.effective_on, EmploymentChange.id),
    )
    return (
        select(
            EmploymentChange.pathway_id,
            EmploymentChange.status,
            EmploymentChange.effective_on,
            EmploymentChange.sector,
            previous.label("previous"),
        )
        .where(EmploymentChange.pathway_id.in_(select(scoped.c.id)))
        .subquery()
    )


async def placements_by_sector(session: AsyncSession, scope: Scope) -> Sequence[Any]:
    """(NACE section or None, count) of the placements dated in the period: moves into contracted
    or registered work from outside it."""
    ladder = ladder_rungs(scoped_pathways(scope))
    placed = [status.value for status in PLACED]
    statement = (
        select(ladder.c.sector, func.count())
        .where(
            ladder.c.previous.is_not(None),
            ladder.c.previous.not_in(placed),
            ladder.c.status.in_(placed),
            ladder.c.effective_on.between(scope.date_from, scope.date_to),
        )
        .group_by(ladder.c.sector)
    )
    return (await session.execute(statement)).all()


async def employment_transitions(session: AsyncSession, scope: Scope) -> Sequence[Any]:
    """(previous status, status, count) of the moves on the ladder dated in the period."""
    ladder = ladder_rungs(scoped_pathways(scope))
    statement = (
        select(ladder.c.previous, ladder.c.status, func.count())
        .where(
            ladder.c.previous.is_not(None),
            ladder.c.effective_on.between(scope.date_from, scope.date_to),
        )
        .group_by(ladder.c.previous, ladder.c.status)
    )
    return (await session.execute(statement)).all()


async def first_formal_contract(session: AsyncSession, scope: Scope) -> tuple[Any, int]:
    """The median days from opening to the first move into formal work, and how many pathways
    opened in the period made it."""
    scoped = scoped_pathways(scope)
    ladder = ladder_rungs(scoped)
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
            .where(in_period(Pathway.opened_at, scope), Pathway.id.in_(select(scoped.c.id)))
        )
    ).one()
    return median_days, reaching


async def follow_ups(session: AsyncSession, scope: Scope) -> Sequence[Any]:
    """(months, still_in_work) of the placement follow-ups due in the period."""
    scoped = scoped_pathways(scope)
    statement = select(FollowUp.months, FollowUp.still_in_work).where(
        FollowUp.pathway_id.in_(select(scoped.c.id)),
        FollowUp.due_on.between(scope.date_from, scope.date_to),
    )
    return (await session.execute(statement)).all()


async def open_rights_violations(session: AsyncSession, scope: Scope) -> Sequence[Any]:
    """(item, count) of the rights violations still open."""
    scoped = scoped_pathways(scope)
    statement = (
        select(RightsViolation.item, func.count())
        .where(
            RightsViolation.pathway_id.in_(select(scoped.c.id)),
            RightsViolation.resolved_at.is_(None),
        )
        .group_by(RightsViolation.item)
    )
    return (await session.execute(statement)).all()


def _month(column: Any) -> Any:
    """``YYYY-MM`` of a timestamp (in UTC, as the periods are) or of a date."""
    return func.to_char(column, "YYYY-MM")


async def monthly(session: AsyncSession, scope: Scope) -> dict[str, list[tuple[str, int]]]:
    """(month, count) of each measure of the monthly series, months without any left out:
    pathways opened, people reached (a person counts once a month), pathways closed, placements."""
    opened = opened_in_scope(scope)
    opened_in = _month(func.timezone("UTC", opened.c.opened_at))
    closed_in = _month(func.timezone("UTC", Pathway.closed_at))
    ladder = ladder_rungs(scoped_pathways(scope))
    placed = [status.value for status in PLACED]
    placed_in = _month(ladder.c.effective_on)
    statements: dict[str, Any] = {
        "pathways_opened": select(opened_in, func.count()).group_by(opened_in),
        "people_reached": select(opened_in, func.count(distinct(opened.c.beneficiary_id))).group_by(
            opened_in
        ),
        "pathways_closed": select(closed_in, func.count())
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(_in_scope(scope), in_period(Pathway.closed_at, scope))
        .group_by(closed_in),
        "placements": select(placed_in, func.count())
        .where(
            ladder.c.previous.is_not(None),
            ladder.c.previous.not_in(placed),
            ladder.c.status.in_(placed),
            ladder.c.effective_on.between(scope.date_from, scope.date_to),
        )
        .group_by(placed_in),
    }
    return {
        name: [(month, count) for month, count in (await session.execute(statement)).all()]
        for name, statement in statements.items()
    }


async def business_milestones(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """How many entrepreneurship actions reached each business milestone in the period."""
    scoped = scoped_pathways(scope)
    reached = [
        func.count()
        .filter(cast(Action.business[name].astext, Date).between(scope.date_from, scope.date_to))
        .label(name)
        for name in BUSINESS_MILESTONES
    ]
    statement = select(*reached).where(
        Action.pathway_id.in_(select(scoped.c.id)), Action.business.is_not(None)
    )
    return dict((await session.execute(statement)).one()._mapping)
