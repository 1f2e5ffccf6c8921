"""``/api/v1/projects``: funded projects and the people enrolled in them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from services.pathways.db.models import idempotency
from services.pathways.db.projects import PARTICIPANT_KEY
from services.pathways.schemas.projects import (
    ParticipantCreate,
    ParticipantPage,
    ParticipantRead,
    ProjectCreate,
    ProjectList,
    ProjectRead,
    ProjectUpdate,
)
from services.pathways.service import projects as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.etags import if_match_checker
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, page_of
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/projects", tags=["projects"], route_class=idempotent_routes(idempotency)
)


def _project(project: object, code: int = 200, location: str | None = None) -> Response:
    read = service.as_read(project)  # type: ignore[arg-type]
    headers = {"Location": location} if location else None
    return json_response(
        read.model_dump(mode="json", by_alias=True), code, version=read.version, headers=headers
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectRead,
    responses=problems(403, 422),
    summary="Set up a funded project (an org admin of the lead organisation)",
    description="The fund, the grant, the project's dates and its reporting periods (within the "
    "dates, not overlapping), and the partner organisations, whose staff read the project, "
    "enrol participants and read its indicators.",
)
async def create_project(
    body: ProjectCreate, principal: CurrentPrincipal, session: DbSession
) -> Response:
    project = await service.create(session, principal, body)
    return _project(project, 201, f"/api/v1/projects/{project.id}")


@router.get(
    "",
    response_model=ProjectList,
    summary="The projects your organisation leads or is a partner of (every one for platform "
    "admins)",
)
async def list_projects(principal: CurrentPrincipal, session: DbSession) -> Response:
    found = await service.listed(session, principal)
    items = [service.as_read(p).model_dump(mode="json", by_alias=True) for p in found]
    return json_response({"items": items, "next_cursor": None})


@router.get(
    "/{project_id}", response_model=ProjectRead, responses=problems(404), summary="One project"
)
async def read_project(
    project_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    return _project(await service.one(session, principal, project_id))


@router.patch(
    "/{project_id}",
    response_model=ProjectRead,
    responses=problems(403, 404, 412, 422, 428),
    summary="Change a project (its lead's org admins; If-Match)",
)
async def change_project(
    project_id: uuid.UUID,
    body: ProjectUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    checked = if_match_checker(request)
    return _project(await service.change(session, principal, project_id, body, checked))


@router.post(
    "/{project_id}/participants",
    status_code=status.HTTP_201_CREATED,
    response_model=ParticipantRead,
    responses={**problems(403, 404, 422), 200: {"model": ParticipantRead}},
    summary="Enrol a person in the project, with the eligibility its fund asks for",
    description="By the staff of the lead or a partner organisation, for a person whose pathway "
    "section they may see (else 404). An AMIF project enrols third-country nationals only. "
    "Enrolling someone already enrolled answers 200 with the existing enrolment.",
)
async def enrol_participant(
    project_id: uuid.UUID,
    body: ParticipantCreate,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    enrolled, new = await service.enrol(session, principal, project_id, body)
    read = ParticipantRead.model_validate(enrolled).model_dump(mode="json")
    location = f"/api/v1/projects/{project_id}/participants/{enrolled.beneficiary_id}"
    return json_response(read, 201 if new else 200, headers={"Location": location})


@router.get(
    "/{project_id}/participants",
    response_model=ParticipantPage,
    responses=problems(404),
    summary="The project's participants you may see, in the order they were enrolled",
)
async def list_participants(
    project_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    rows = await service.participants(session, principal, project_id, cursor, limit)
    page = page_of(
        rows,
        limit,
        lambda row: [getattr(row, column.key) for column in PARTICIPANT_KEY],
        ParticipantRead.model_validate,
    )
    return json_response(page.model_dump(mode="json"))


@router.delete(
    "/{project_id}/participants/{beneficiary_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404),
    summary="Undo an enrolment made in error (who enrolled, or the lead's org admins)",
)
async def withdraw_participant(
    project_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    await service.withdraw(session, principal, project_id, beneficiary_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
