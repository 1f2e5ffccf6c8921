"""Projects and funds: setting up a project (its lead organisation's org admins), and enrolling
the people it serves with the eligibility its fund asks for (the staff of the lead and its
partners, for people they may see)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import projects as repository
from services.pathways.db.funding_models import Project, ProjectParticipant
from services.pathways.domain.funds import Fund, check_project_dates, reporting_periods
from services.pathways.errors import (
    InvalidField,
    InvalidFields,
    MayNotEnrolParticipants,
    MayNotReadProjects,
    NotTheLeadOrganisation,
    PersonNotFound,
)
from services.pathways.schemas.projects import (
    ParticipantCreate,
    ProjectCreate,
    ProjectRead,
    ProjectUpdate,
)
from shared import clock
from shared.auth import Principal, Role

FIELDS = ("name", "grant_code", "starts_on", "ends_on", "reporting_periods",
          "partner_organization_ids")  # fmt: skip


def as_read(project: Project) -> ProjectRead:
    return ProjectRead.model_validate(repository.columns_of(project))


def _periods(body: ProjectCreate | ProjectUpdate) -> list[dict[str, Any]] | None:
    if body.reporting_periods is None:
        return None
    return [period.model_dump(mode="json", by_alias=True) for period in body.reporting_periods]


def _check(project: Project) -> None:
    periods = reporting_periods(project.reporting_periods)
    problems = check_project_dates(project.starts_on, project.ends_on, periods)
    if problems:
        raise InvalidFields(problems)


def _lead_admin(principal: Principal, project: Project | None = None) -> uuid.UUID:
    if not principal.acts_as(Role.ORG_ADMIN) or principal.organization_id is None:
        raise NotTheLeadOrganisation()
    if project is not None and project.organization_id != principal.organization_id:
        raise NotTheLeadOrganisation()
    return principal.organization_id


async def create(session: AsyncSession, principal: Principal, body: ProjectCreate) -> Project:
    lead = _lead_admin(principal)
    moment = clock.now()
    project = Project(
        id=uuid.uuid4(),
        organization_id=lead,
        name=body.name,
        fund=body.fund.value,
        grant_code=body.grant_code,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        reporting_periods=_periods(body) or [],
        partner_organization_ids=sorted(set(body.partner_organization_ids) - {lead}),
        version=1,
        created_by=principal.subject,
        created_at=moment,
        updated_at=moment,
    )
    _check(project)
    session.add(project)
    await session.flush()
    return project


async def listed(session: AsyncSession, principal: Principal) -> list[Project]:
    return await repository.listed(session, _organisation(principal))


def _organisation(principal: Principal) -> uuid.UUID | None:
    """Whose projects the caller sees: its organisation's (its staff), every one (platform
    admins, who set up organisations); 403 for any other role."""
    if principal.is_platform_admin:
        return None
    if not principal.works_on_cases:
        raise MayNotReadProjects()
    return principal.organization_id


async def one(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> Project:
    return await repository.get(session, project_id, _organisation(principal))


async def change(
    session: AsyncSession,
    principal: Principal,
    project_id: uuid.UUID,
    body: ProjectUpdate,
    check_version: Callable[[int], Any],
) -> Project:
    project = await repository.get(session, project_id, principal.organization_id, lock=True)
    _lead_admin(principal, project)
    check_version(project.version)
    changes = body.model_dump(exclude_unset=True)
    for field in FIELDS:
        if field not in changes:
            continue
        value = getattr(body, field)
        if value is None and field != "grant_code":
            raise InvalidField(field, "cannot be cleared")
        if field == "reporting_periods":
            value = _periods(body)
        elif field == "partner_organization_ids":
            value = sorted(set(value) - {project.organization_id})
        setattr(project, field, value)
    _check(project)
    project.version += 1
    project.updated_at = clock.now()
    return project


async def _worked_on(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> Project:
    """The project, for staff of its lead or a partner who work on cases (403 for other roles,
    404 for other organisations)."""
    if not principal.works_on_cases:
        raise MayNotEnrolParticipants()
    return await repository.get(session, project_id, principal.organization_id)


async def enrol(
    session: AsyncSession, principal: Principal, project_id: uuid.UUID, body: ParticipantCreate
) -> tuple[ProjectParticipant, bool]:
    """The enrolment, and whether it is new (an existing one is answered as it is)."""
    project = await _worked_on(session, principal, project_id)
    moment = clock.now()
    if not await repository.sees(session, principal, body.beneficiary_id, moment):
        raise PersonNotFound()
    if project.fund == Fund.AMIF and not body.third_country_national:
        raise InvalidField(
            "third_country_national", "an AMIF project serves third-country nationals only"
        )
    enrolled_on = body.enrolled_on or moment.date()
    if not project.starts_on <= enrolled_on <= project.ends_on:
        raise InvalidField("enrolled_on", "is not within the project's dates")
    assert principal.organization_id is not None
    new = ProjectParticipant(
        project_id=project.id,
        beneficiary_id=body.beneficiary_id,
        organization_id=principal.organization_id,
        enrolled_on=enrolled_on,
        third_country_national=body.third_country_national,
        evidence=body.evidence.value,
        evidence_document_id=body.evidence_document_id,
        enrolled_by=principal.subject,
        created_at=moment,
    )
    added = await repository.enrol(session, new)
    stored = await repository.participant(session, project.id, body.beneficiary_id)
    assert stored is not None
    return stored, added


async def participants(
    session: AsyncSession,
    principal: Principal,
    project_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> list[ProjectParticipant]:
    project = await _worked_on(session, principal, project_id)
    return await repository.participants(session, principal, project.id, clock.now(), cursor, limit)


async def withdraw(
    session: AsyncSession, principal: Principal, project_id: uuid.UUID, beneficiary_id: uuid.UUID
) -> None:
    """Undo an enrolment (made in error): the organisation that enrolled, or the lead's admins."""
    project = await _worked_on(session, principal, project_id)
    enrolled = await repository.participant(session, project.id, beneficiary_id)
    visible = await repository.sees(session, principal, beneficiary_id, clock.now())
    if enrolled is None or not visible:
        raise PersonNotFound()
    lead_admin = principal.acts_as(Role.ORG_ADMIN) and project.organization_id == (
        principal.organization_id
    )
    if enrolled.organization_id != principal.organization_id and not lead_admin:
        raise MayNotEnrolParticipants()
    await repository.withdraw(session, project.id, beneficiary_id)
