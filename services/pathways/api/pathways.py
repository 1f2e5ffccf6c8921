"""``/api/v1/pathways``: open, list (the caseload), read, reassign, close, reopen; the timeline, the
employment ladder and the placement follow-ups of a pathway."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.api.deps import Gateway, VisiblePathway
from services.pathways.db.models import Pathway, idempotency
from services.pathways.db.pathways import CaseloadFilter
from services.pathways.domain.loop import PathwayStatus, Step
from services.pathways.schemas.pathway import (
    CloseRequest,
    FollowUpRead,
    FollowUpRecord,
    LadderRead,
    PathwayCreate,
    PathwayPage,
    PathwayRead,
    PathwayUpdate,
    ReopenRequest,
    TimelineRead,
)
from services.pathways.service import pathways as service
from services.pathways.service.pathway_sync import sync_pathways
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.etags import check_if_match
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import BatchIds, CursorParam, Limit, Page, whole
from shared.responses import json_response
from shared.sync import SinceParam, refuse_filters_in_sync

router = APIRouter(
    prefix="/api/v1/pathways",
    tags=["pathways"],
    route_class=idempotent_routes(idempotency),
)


async def _read(session: AsyncSession, pathway: Pathway) -> Response:
    return json_response(await service.read(session, pathway), version=pathway.version)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PathwayRead,
    responses=problems(403, 404, 409, 422, 503),
    summary="Open a pathway for a person you may see (one open per person and organisation)",
    description="`assigned_to`, when given, must be an active operator or org admin of your "
    "organisation (422 otherwise).",
)
async def open_pathway(
    body: PathwayCreate, principal: CurrentPrincipal, session: DbSession, gateway: Gateway
) -> Response:
    pathway = await service.open_pathway(session, principal, body, gateway)
    response = await _read(session, pathway)
    response.status_code = status.HTTP_201_CREATED
    response.headers["Location"] = f"/api/v1/pathways/{pathway.id}"
    return response


@router.get(
    "",
    response_model=PathwayPage,
    responses=problems(410, 422),
    summary="Pathways you may see; the caseload is assigned_to=me&overdue=true; a sync with since",
    description="Sorted by urgency: urgent first, then by days overdue. `overdue=true` keeps what "
    "needs attention: follow-up or actions overdue, open rights violations, urgent, or a residence "
    "permit expiring within 60 days. With `since`, a sync in commit order instead (see the partner "
    "guide): every pathway written since the watermark with its `actions` and `steps`, and in "
    "`removed` the people whose pathways you may no longer see; 410 if the watermark is ahead of "
    "the database (restored from a backup): sync again from 0.",
)
async def list_pathways(
    principal: CurrentPrincipal,
    session: DbSession,
    beneficiary_id: uuid.UUID | None = None,
    stage: Step | None = None,
    overdue: bool | None = None,
    assigned_to: Annotated[
        str | None, Query(max_length=100, description="a user id, or me")
    ] = None,
    status_filter: Annotated[PathwayStatus | None, Query(alias="status")] = None,
    ids: BatchIds = None,
    since: SinceParam = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    if since is not None:
        refuse_filters_in_sync(
            beneficiary_id=beneficiary_id,
            stage=stage,
            overdue=overdue,
            assigned_to=assigned_to,
            status=status_filter,
            id=ids,
        )
        return json_response(await sync_pathways(session, principal, since, cursor, limit))
    only = CaseloadFilter(
        beneficiary_id=beneficiary_id,
        stage=stage.value if stage is not None else None,
        overdue=overdue,
        assigned_to=assigned_to,
        status=status_filter,
        ids=tuple(ids) if ids else None,
    )
    return json_response(await service.list_pathways(session, principal, only, limit, cursor))


@router.get(
    "/{pathway_id}", response_model=PathwayRead, responses=problems(404), summary="One pathway"
)
async def read_pathway(pathway: VisiblePathway, session: DbSession) -> Response:
    return await _read(session, pathway)


@router.patch(
    "/{pathway_id}",
    response_model=PathwayRead,
    responses=problems(403, 404, 412, 422, 428, 503),
    summary="Reassign a pathway to another operator (If-Match)",
    description="`assigned_to` must be an active operator or org admin of the organisation "
    "running the pathway: an unknown user, a deactivated account or another organisation's user "
    "is a 422 and nothing changes.",
)
async def update_pathway(
    pathway_id: uuid.UUID,
    body: PathwayUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    gateway: Gateway,
) -> Response:
    pathway = await service.workable(session, principal, pathway_id)
    check_if_match(request, pathway.version)
    await service.reassign(session, principal, pathway, body.assigned_to, gateway)
    return await _read(session, pathway)


@router.post(
    "/{pathway_id}/close",
    response_model=PathwayRead,
    responses=problems(403, 404, 409),
    summary="Close with an outcome; refused while rights violations are open (org admin override)",
)
async def close_pathway(
    pathway_id: uuid.UUID, body: CloseRequest, principal: CurrentPrincipal, session: DbSession
) -> Response:
    pathway = await service.workable(session, principal, pathway_id)
    await service.close(session, principal, pathway, body)
    return await _read(session, pathway)


@router.post(
    "/{pathway_id}/reopen",
    response_model=PathwayRead,
    responses=problems(403, 404, 409, 422),
    summary="Reopen a closed pathway with a reason; it carries on where it stood",
    description="The same callers as close. Its stage, cycle, plan and timeline continue; the "
    "reason, who and when are a `reopened` entry of the timeline. An open pathway, or one whose "
    "organisation has opened another for the person since, answers 409.",
)
async def reopen_pathway(
    pathway_id: uuid.UUID, body: ReopenRequest, principal: CurrentPrincipal, session: DbSession
) -> Response:
    pathway = await service.workable(session, principal, pathway_id)
    await service.reopen(session, principal, pathway, body)
    return await _read(session, pathway)


@router.get(
    "/{pathway_id}/timeline",
    response_model=Page[TimelineRead],
    responses=problems(404),
    summary="Every step, change and event of the pathway, in order, with who and when",
)
async def timeline(
    pathway_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[TimelineRead]:
    pathway = await service.visible(session, principal, pathway_id)
    return await service.timeline(session, pathway, limit, cursor)


@router.get(
    "/{pathway_id}/employment",
    response_model=LadderRead,
    responses=problems(404),
    summary="The employment ladder over time: every dated status and the transitions",
)
async def employment(pathway: VisiblePathway, session: DbSession) -> LadderRead:
    return await service.employment(session, pathway)


@router.get(
    "/{pathway_id}/follow-ups",
    response_model=Page[FollowUpRead],
    responses=problems(404),
    summary="Retention follow-ups after a placement (3, 6 and 12 months)",
)
async def follow_ups(pathway: VisiblePathway, session: DbSession) -> Page[FollowUpRead]:
    return whole(await service.follow_ups(session, pathway))


@router.post(
    "/{pathway_id}/follow-ups/{follow_up_id}",
    response_model=FollowUpRead,
    responses=problems(403, 404),
    summary="Record a retention follow-up: still in work, contract, hours, pay (also once closed)",
)
async def record_follow_up(
    pathway_id: uuid.UUID,
    follow_up_id: uuid.UUID,
    body: FollowUpRecord,
    principal: CurrentPrincipal,
    session: DbSession,
) -> FollowUpRead:
    pathway = await service.workable(session, principal, pathway_id)
    return await service.record_follow_up(session, principal, pathway, follow_up_id, body)
