"""The ladder report's statements, each counting in SQL one row per inner cell of its table
(whatever the caseload): the moves on the employment ladder by direction, sector and territory,
and the internships done by host organisation and whether they turned into a contract."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.indicators import Scope, in_period, ladder_rungs, scoped_pathways
from services.pathways.db.models import Action, EmploymentChange, Pathway, Person
from services.pathways.domain.actions import ActionStatus, ActionType
from services.pathways.domain.employment import (
    CONVERSION_MONTHS,
    LADDER_RANK,
    PLACED,
    Conversion,
    Direction,
)
from services.pathways.domain.indicators import UNKNOWN

NOT_RECORDED = "not_recorded"  # no sector given, or no host organisation

Cells = list[tuple[tuple[str, ...], int]]


def _rank(status: Any) -> ColumnElement[int]:
    return case(
        *((status == kind.value, literal(rank)) for kind, rank in LADDER_RANK.items()),
        else_=literal(None),
    )


async def moves(session: AsyncSession, scope: Scope) -> Cells:
    """((direction, sector, municipality), people) of the moves on the ladder dated in the
    period, each cell the people who made such a move (one person's many moves never make a cell
    look larger than the people in it; a person in two cells counts in each): upward, downward
    or level by ``LADDER_RANK``; the NACE section of the job moved into (``not_recorded`` when
    none was given, or for a move out of work); the person's municipality."""
    ladder = ladder_rungs(scoped_pathways(scope))
    before, after = _rank(ladder.c.previous), _rank(ladder.c.status)
    direction = case(
        (after > before, literal(Direction.UPWARD.value)),
        (after < before, literal(Direction.DOWNWARD.value)),
        else_=literal(Direction.LEVEL.value),
    ).label("direction")
    sector = func.coalesce(ladder.c.sector, NOT_RECORDED).label("sector")
    municipality = func.coalesce(Person.municipality, UNKNOWN).label("municipality")
    statement = (
        select(direction, sector, municipality, func.count(distinct(Pathway.beneficiary_id)))
        .select_from(ladder)
        .join(Pathway, Pathway.id == ladder.c.pathway_id)
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(
            ladder.c.previous.is_not(None),
            ladder.c.effective_on.between(scope.date_from, scope.date_to),
        )
        .group_by(direction, sector, municipality)
    )
    rows = (await session.execute(statement)).all()
    return [((str(d), str(s), str(m)), int(count)) for d, s, m, count in rows]


async def internships(session: AsyncSession, scope: Scope, today: date) -> Cells:
    """((host organisation, outcome), people) of the internships done in the period (by
    ``ended_at``: a later change, a tag say, does not move them) on pathways in scope:
    ``converted`` when the person moved into contracted or registered work with the host between
    the internship's start and ``CONVERSION_MONTHS`` after its end, ``pending`` while that window
    is open without it, ``not_converted`` after."""
    ended = cast(Action.ended_at, Date)
    window_end = ended + func.make_interval(0, CONVERSION_MONTHS)
    placed = [status.value for status in PLACED]
    converted = exists().where(
        EmploymentChange.pathway_id == Action.pathway_id,
        EmploymentChange.employer_organization_id == Action.provider_organization_id,
        EmploymentChange.status.in_(placed),
        EmploymentChange.effective_on >= cast(Action.created_at, Date),
        EmploymentChange.effective_on <= window_end,
    )
    outcome = case(
        (converted, literal(Conversion.CONVERTED.value)),
        (window_end >= today, literal(Conversion.PENDING.value)),
        else_=literal(Conversion.NOT_CONVERTED.value),
    ).label("outcome")
    host = func.coalesce(cast(Action.provider_organization_id, String), NOT_RECORDED).label("host")
    in_scope = select(scoped_pathways(scope).c.id)
    statement = (
        select(host, outcome, func.count(distinct(Pathway.beneficiary_id)))
        .join(Pathway, Pathway.id == Action.pathway_id)
        .where(
            Action.pathway_id.in_(in_scope),
            Action.type == ActionType.INTERNSHIP.value,
            Action.status == ActionStatus.DONE.value,
            in_period(Action.ended_at, scope),
        )
        .group_by(host, outcome)
    )
    rows = (await session.execute(statement)).all()
    return [((str(h), str(o)), int(count)) for h, o, count in rows]
