"""The statements of a person's GDPR export: every row pathways holds about them (internal; the
caller is intake, on the person's request)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.funding_models import ParticipantFeedback, ProjectParticipant
from services.pathways.db.models import (
    Action,
    EmploymentChange,
    FollowUp,
    Pathway,
    Person,
    Referral,
    RightsViolation,
    Step,
    Task,
    TimelineEntry,
    beneficiary_access,
)

# The records about the person kept outside a pathway's own: tasks, copies of referral states,
# enrolments in projects, answers to the feedback questionnaire.
ABOUT_PERSON: tuple[tuple[str, Any], ...] = (
    ("tasks", Task),
    ("referrals", Referral),
    ("project_enrolments", ProjectParticipant),
    ("feedback", ParticipantFeedback),
)
# The records kept per pathway, by the name they have in the export.
PER_PATHWAY: tuple[tuple[str, Any], ...] = (
    ("steps", Step),
    ("actions", Action),
    ("rights_violations", RightsViolation),
    ("employment", EmploymentChange),
    ("follow_ups", FollowUp),
    ("timeline", TimelineEntry),
)


async def pathways(session: AsyncSession, beneficiary_id: uuid.UUID) -> Sequence[Pathway]:
    statement = select(Pathway).where(Pathway.beneficiary_id == beneficiary_id)
    return (await session.scalars(statement)).all()


async def access(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[dict[str, Any]]:
    statement = select(beneficiary_access).where(
        beneficiary_access.c.beneficiary_id == beneficiary_id
    )
    return [dict(row._mapping) for row in await session.execute(statement)]


async def person(session: AsyncSession, beneficiary_id: uuid.UUID) -> Sequence[Person]:
    statement = select(Person).where(Person.beneficiary_id == beneficiary_id)
    return (await session.scalars(statement)).all()


async def of_pathways(session: AsyncSession, model: Any, ids: list[uuid.UUID]) -> Sequence[Any]:
    """``model``'s rows for the pathways ``ids`` (none without a query when there are none)."""
    if not ids:
        return []
    return (await session.scalars(select(model).where(model.pathway_id.in_(ids)))).all()


async def about(session: AsyncSession, model: Any, beneficiary_id: uuid.UUID) -> Sequence[Any]:
    statement = select(model).where(model.beneficiary_id == beneficiary_id)
    return (await session.scalars(statement)).all()
