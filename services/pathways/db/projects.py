"""Statements over projects, their participants and participants' feedback. A project is seen by
its lead organisation and its partners; its participants list shows only the people the caller
may see."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.funding_models import ParticipantFeedback, Project, ProjectParticipant
from services.pathways.db.pathways import person_visible
from services.pathways.errors import ProjectNotFound
from shared.auth import Principal
from shared.pagination import keyset

MAX_PROJECTS = 200  # one organisation's list, unpaged
PARTICIPANT_KEY = (ProjectParticipant.enrolled_on, ProjectParticipant.beneficiary_id)


def _in_project(organization_id: uuid.UUID | None) -> ColumnElement[bool]:
    return or_(
        Project.organization_id == organization_id,
        Project.partner_organization_ids.any_() == organization_id,
    )


async def listed(session: AsyncSession, organization_id: uuid.UUID | None) -> list[Project]:
    statement = (
        select(Project)
        .where(_in_project(organization_id))
        .order_by(Project.starts_on.desc(), Project.id)
        .limit(MAX_PROJECTS)
    )
    return list(await session.scalars(statement))


async def get(
    session: AsyncSession,
    project_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    *,
    lock: bool = False,
) -> Project:
    """The project, when the organisation leads it or is a partner (else 404)."""
    statement = select(Project).where(Project.id == project_id)
    if organization_id is not None:
        statement = statement.where(_in_project(organization_id))
    if lock:
        statement = statement.with_for_update()
    project = await session.scalar(statement)
    if project is None:
        raise ProjectNotFound()
    return project


async def carries(
    session: AsyncSession,
    project_id: uuid.UUID,
    organization_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
) -> bool:
    """Whether an action of the organisation for the person may go under the project: the
    organisation leads it or is a partner, and the person is enrolled in it."""
    statement = select(
        select(ProjectParticipant.project_id)
        .join(Project, Project.id == ProjectParticipant.project_id)
        .where(
            ProjectParticipant.project_id == project_id,
            ProjectParticipant.beneficiary_id == beneficiary_id,
            _in_project(organization_id),
        )
        .exists()
    )
    return bool(await session.scalar(statement))


async def enrol(session: AsyncSession, participant: ProjectParticipant) -> bool:
    """Add the enrolment; False when the person is already a participant (nothing changed)."""
    values = {
        column.key: getattr(participant, column.key)
        for column in ProjectParticipant.__table__.columns
        if getattr(participant, column.key, None) is not None
    }
    added = await session.execute(
        insert(ProjectParticipant)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(ProjectParticipant.beneficiary_id)
    )
    return added.first() is not None


async def sees(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, moment: datetime
) -> bool:
    """Whether the caller may see the person (their pathway section)."""
    return bool(await session.scalar(select(person_visible(principal, beneficiary_id, moment))))


async def participant(
    session: AsyncSession, project_id: uuid.UUID, beneficiary_id: uuid.UUID
) -> ProjectParticipant | None:
    return await session.get(ProjectParticipant, (project_id, beneficiary_id))


async def participants(
    session: AsyncSession,
    principal: Principal,
    project_id: uuid.UUID,
    moment: datetime,
    cursor: str | None,
    limit: int,
) -> list[ProjectParticipant]:
    statement = select(ProjectParticipant).where(
        ProjectParticipant.project_id == project_id,
        person_visible(principal, ProjectParticipant.beneficiary_id, moment),
    )
    return list(await session.scalars(keyset(statement, PARTICIPANT_KEY, cursor, limit)))


async def withdraw(session: AsyncSession, project_id: uuid.UUID, beneficiary_id: uuid.UUID) -> None:
    await session.execute(
        delete(ProjectParticipant).where(
            ProjectParticipant.project_id == project_id,
            ProjectParticipant.beneficiary_id == beneficiary_id,
        )
    )


async def feedback_of(session: AsyncSession, pathway_id: uuid.UUID) -> list[ParticipantFeedback]:
    statement = (
        select(ParticipantFeedback)
        .where(ParticipantFeedback.pathway_id == pathway_id)
        .order_by(ParticipantFeedback.answered_on.desc(), ParticipantFeedback.id)
        .limit(500)
    )
    return list(await session.scalars(statement))


def columns_of(project: Project) -> dict[str, Any]:
    return {column.key: getattr(project, column.key) for column in Project.__table__.columns}


async def merge(session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID) -> None:
    """The merged person's enrolments and answers become the survivor's; an enrolment in a project
    the survivor is already in is dropped (the survivor's stays)."""
    survivor_projects = select(ProjectParticipant.project_id).where(
        ProjectParticipant.beneficiary_id == survivor_id
    )
    await session.execute(
        delete(ProjectParticipant).where(
            ProjectParticipant.beneficiary_id == merged_id,
            ProjectParticipant.project_id.in_(survivor_projects),
        )
    )
    for model in (ProjectParticipant, ParticipantFeedback):
        await session.execute(
            update(model)
            .where(model.beneficiary_id == merged_id)
            .values(beneficiary_id=survivor_id)
        )
