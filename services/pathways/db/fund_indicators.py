"""Statements of the fund's indicators: for one project and period, the participants each
indicator counts, grouped by sex, birth year and arrival month (a row per combination), over the
pathways of the project's organisations (the lead and its partners)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, cast, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.funding_models import ParticipantFeedback, ProjectParticipant
from services.pathways.db.models import Action, Pathway, Person, Step
from services.pathways.domain.actions import OPEN_STATUSES, ActionType

_OPEN = [status.value for status in OPEN_STATUSES]
_PERSON = (Person.sex, Person.birth_year, Person.arrival_month)  # what the breakdowns need


@dataclass(frozen=True)
class FundScope:
    project_id: uuid.UUID
    organizations: tuple[uuid.UUID, ...]  # the lead and its partners
    date_from: date
    date_to: date


def _participants(scope: FundScope) -> Any:
    return (
        select(ProjectParticipant.beneficiary_id)
        .where(
            ProjectParticipant.project_id == scope.project_id,
            ProjectParticipant.enrolled_on <= scope.date_to,
        )
        .cte("participant")
    )


def _their_pathway(scope: FundScope, participant: Any) -> Any:
    return (Pathway.beneficiary_id == participant.c.beneficiary_id) & Pathway.organization_id.in_(
        scope.organizations
    )


def _under_project(scope: FundScope) -> Any:
    """An action carried out under the project, or under none: one tagged to another project
    (a person in two funds' projects) counts for that one only."""
    return or_(Action.project_id.is_(None), Action.project_id == scope.project_id)


def _actions(scope: FundScope, participant: Any, types: list[str]) -> Any:
    """An action of one of ``types`` on the participant's pathway, live in the period."""
    return (
        exists()
        .where(Action.pathway_id == Pathway.id, _their_pathway(scope, participant))
        .where(
            _under_project(scope),
            Action.type.in_(types),
            Action.status != "cancelled",
            cast(Action.created_at, Date) <= scope.date_to,
            or_(Action.status.in_(_OPEN), cast(Action.ended_at, Date) >= scope.date_from),
        )
    )


def _grouped(participant: Any, condition: Any) -> Select[Any]:
    statement: Select[Any] = (
        select(*_PERSON, func.count().label("people"))  # type: ignore[assignment]
        .select_from(participant)
        .join(Person, Person.beneficiary_id == participant.c.beneficiary_id, isouter=True)
        .where(condition)
        .group_by(*_PERSON)
    )
    return statement


async def enrolled(session: AsyncSession, scope: FundScope) -> list[Any]:
    participant = _participants(scope)
    return list((await session.execute(_grouped(participant, literal(True)))).all())


async def in_actions(session: AsyncSession, scope: FundScope, types: list[ActionType]) -> list[Any]:
    participant = _participants(scope)
    condition = _actions(scope, participant, [kind.value for kind in types])
    return list((await session.execute(_grouped(participant, condition))).all())


async def guided(session: AsyncSession, scope: FundScope) -> list[Any]:
    participant = _participants(scope)
    condition = exists().where(
        Step.pathway_id == Pathway.id,
        _their_pathway(scope, participant),
        cast(Step.recorded_at, Date).between(scope.date_from, scope.date_to),
    )
    return list((await session.execute(_grouped(participant, condition))).all())


async def helped(session: AsyncSession, scope: FundScope) -> list[Any]:
    participant = _participants(scope)
    condition = exists().where(
        ParticipantFeedback.beneficiary_id == participant.c.beneficiary_id,
        ParticipantFeedback.organization_id.in_(scope.organizations),
        ParticipantFeedback.helped_integration == "yes",
        ParticipantFeedback.answered_on.between(scope.date_from, scope.date_to),
    )
    return list((await session.execute(_grouped(participant, condition))).all())


async def applied_for_recognition(session: AsyncSession, scope: FundScope) -> list[Any]:
    participant = _participants(scope)
    submitted = cast(Action.recognition["submitted"].astext, Date)
    condition = exists().where(
        Action.pathway_id == Pathway.id,
        _their_pathway(scope, participant),
        _under_project(scope),
        Action.type.in_(
            [ActionType.QUALIFICATION_RECOGNITION.value, ActionType.SKILLS_VALIDATION.value]
        ),
        submitted.between(scope.date_from, scope.date_to),
    )
    return list((await session.execute(_grouped(participant, condition))).all())


async def language_levels(session: AsyncSession, scope: FundScope) -> list[Any]:
    """(person, language, level) recorded at follow-ups up to the period's end, in order, for the
    participants in a language course in the period."""
    participant = _participants(scope)
    in_course = _actions(scope, participant, [ActionType.LANGUAGE_COURSE.value])
    level = Step.body["language_level"]
    statement = (
        select(
            participant.c.beneficiary_id,
            level["code"].astext.label("language"),
            level["level"].astext.label("level"),
        )
        .select_from(participant)
        .join(Pathway, _their_pathway(scope, participant))
        .join(Step, Step.pathway_id == Pathway.id)
        .where(
            in_course,
            Step.kind == "monitor",
            level["level"].astext.is_not(None),
            cast(Step.recorded_at, Date) <= scope.date_to,
        )
        .order_by(participant.c.beneficiary_id, Step.recorded_at, Step.id)
    )
    return list((await session.execute(statement)).all())


async def profiles(session: AsyncSession, people: set[uuid.UUID]) -> list[Any]:
    """(sex, birth year, arrival month, people) of ``people``."""
    if not people:
        return []
    statement = (
        select(*_PERSON, func.count().label("people"))
        .where(Person.beneficiary_id.in_(people))
        .group_by(*_PERSON)
    )
    rows: list[Any] = list((await session.execute(statement)).all())
    known = sum(row.people for row in rows)
    if known < len(people):  # participants pathways knows nothing of yet
        rows.append(_Unknown(None, None, None, len(people) - known))
    return rows


@dataclass(frozen=True)
class _Unknown:
    sex: str | None
    birth_year: int | None
    arrival_month: date | None
    people: int
