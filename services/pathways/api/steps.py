"""The loop's steps of a pathway: assessments, actions (respond), monitoring, adjustments, rights
checks. A step out of order answers 409 with ``allowed_next_steps``."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from services.pathways.api.deps import VisibleAction, VisiblePathway
from services.pathways.clients.matching import MatchingClient
from services.pathways.db.models import Step, idempotency
from services.pathways.domain.loop import Step as Kind
from services.pathways.domain.rights import RIGHTS_ITEMS
from services.pathways.schemas.steps import (
    ActionRead,
    ActionUpdate,
    AdjustmentCreate,
    AssessmentCreate,
    ChecklistItem,
    MonitoringCreate,
    RespondCreate,
    RightsCheckCreate,
    RightsChecksRead,
    StepRead,
)
from services.pathways.service import pathways
from services.pathways.service.steps import actions as plan
from services.pathways.service.steps import dispatcher
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.etags import check_if_match, etag
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import Page, whole

router = APIRouter(
    prefix="/api/v1/pathways/{pathway_id}",
    tags=["pathway steps"],
    route_class=idempotent_routes(idempotency),
)
STEP_PROBLEMS = problems(403, 404, 409, 422)
# Steps that may name matching's service points: 503 when matching cannot check them.
CHECKED_STEP_PROBLEMS = problems(403, 404, 409, 422, 503)


def _step(step: Step, result: dict[str, Any] | None = None) -> StepRead:
    return StepRead(
        id=step.id,
        pathway_id=step.pathway_id,
        cycle=step.cycle,
        kind=step.kind,
        body=step.body,
        recorded_at=step.recorded_at,
        recorded_by=step.recorded_by,
        out_of_turn=step.out_of_turn,
        result=result or {},
    )


def _matching(request: Request) -> MatchingClient:
    settings = request.app.state.settings
    return MatchingClient(request.app.state.http, settings.matching_url, settings.internal_token)


async def _post(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    pathway_id: uuid.UUID,
    kind: Kind,
    body: BaseModel,
    response: Response,
) -> StepRead:
    step, result = await dispatcher.record(
        session, principal, pathway_id, kind, body, _matching(request)
    )
    response.status_code = status.HTTP_201_CREATED
    return _step(step, result)


async def _list(session: DbSession, pathway: VisiblePathway, kind: Kind) -> Page[StepRead]:
    return whole([_step(row) for row in await dispatcher.recorded(session, pathway, kind)])


@router.post(
    "/assessments",
    status_code=201,
    response_model=StepRead,
    responses=CHECKED_STEP_PROBLEMS,
    summary="Assess: context, labour-market position, needs; the server proposes the priority",
)
async def assess(
    pathway_id: uuid.UUID,
    body: AssessmentCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(request, session, principal, pathway_id, Kind.ASSESS, body, response)


@router.get(
    "/assessments",
    response_model=Page[StepRead],
    responses=problems(404),
    summary="The assessments, cycle by cycle",
)
async def assessments(pathway: VisiblePathway, session: DbSession) -> Page[StepRead]:
    return await _list(session, pathway, Kind.ASSESS)


@router.post(
    "/actions",
    status_code=201,
    response_model=StepRead,
    responses=CHECKED_STEP_PROBLEMS,
    summary="Respond: add the actions that answer the needs",
    description="The cycle's response follows its assessment. Later in the cycle (a second "
    "response, or actions added between steps) it needs a `reason` and leaves the loop's stage "
    "where it was (`out_of_turn`); before the first assessment, 409.",
)
async def respond(
    pathway_id: uuid.UUID,
    body: RespondCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(request, session, principal, pathway_id, Kind.RESPOND, body, response)


@router.get(
    "/actions",
    response_model=Page[ActionRead],
    responses=problems(404),
    summary="The pathway's actions",
)
async def actions(
    pathway: VisiblePathway, principal: CurrentPrincipal, session: DbSession
) -> Page[ActionRead]:
    return whole(await plan.listed(session, principal, pathway))


@router.get(
    "/actions/{action_id}", response_model=ActionRead, responses=problems(404), summary="One action"
)
async def read_action(
    found: VisibleAction, principal: CurrentPrincipal, response: Response
) -> ActionRead:
    pathway, action = found
    response.headers["ETag"] = etag(action.version)
    return plan.as_read(action, principal, pathway)


@router.patch(
    "/actions/{action_id}",
    response_model=ActionRead,
    responses=problems(403, 404, 409, 412, 422, 428),
    summary="Update an action: status, due date, progress, recognition steps (If-Match)",
)
async def update_action(
    pathway_id: uuid.UUID,
    action_id: uuid.UUID,
    body: ActionUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> ActionRead:
    pathway = await pathways.workable(session, principal, pathway_id)
    action = await plan.to_change(session, pathway, action_id)
    check_if_match(request, action.version)
    await plan.change(session, principal, pathway, action, body)
    response.headers["ETag"] = etag(action.version)
    return plan.as_read(action, principal, pathway)


@router.post(
    "/monitoring",
    status_code=201,
    response_model=StepRead,
    responses=STEP_PROBLEMS,
    summary="Monitor: a follow-up with progress per action, changes, the next follow-up date",
)
async def monitor(
    pathway_id: uuid.UUID,
    body: MonitoringCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(request, session, principal, pathway_id, Kind.MONITOR, body, response)


@router.get(
    "/monitoring", response_model=Page[StepRead], responses=problems(404), summary="The follow-ups"
)
async def monitoring(pathway: VisiblePathway, session: DbSession) -> Page[StepRead]:
    return await _list(session, pathway, Kind.MONITOR)


@router.post(
    "/adjustments",
    status_code=201,
    response_model=StepRead,
    responses=CHECKED_STEP_PROBLEMS,
    summary="Adjust: cancel, add or reschedule actions, with a reason (a new plan version)",
    description="An adjustment that changes nothing keeps the plan (no new version) for its "
    "reason: the loop moves on to the rights check.",
)
async def adjust(
    pathway_id: uuid.UUID,
    body: AdjustmentCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(request, session, principal, pathway_id, Kind.ADJUST, body, response)


@router.get(
    "/adjustments",
    response_model=Page[StepRead],
    responses=problems(404),
    summary="The adjustments",
)
async def adjustments(pathway: VisiblePathway, session: DbSession) -> Page[StepRead]:
    return await _list(session, pathway, Kind.ADJUST)


@router.post(
    "/rights-checks",
    status_code=201,
    response_model=StepRead,
    responses=STEP_PROBLEMS,
    summary="Verify rights: the checklist; every violation opens escalation actions at once",
    description="In its turn (after the adjustment) it closes the cycle. At any other stage it is "
    "an urgent check out of turn: recorded with its escalations, the loop's stage unchanged.",
)
async def verify_rights(
    pathway_id: uuid.UUID,
    body: RightsCheckCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(request, session, principal, pathway_id, Kind.VERIFY_RIGHTS, body, response)


@router.get(
    "/rights-checks",
    response_model=RightsChecksRead,
    responses=problems(404),
    summary="The rights checks, and the checklist to answer",
)
async def rights_checks(pathway: VisiblePathway, session: DbSession) -> RightsChecksRead:
    checks = await _list(session, pathway, Kind.VERIFY_RIGHTS)
    return RightsChecksRead(
        checklist=[
            ChecklistItem(
                item=item.code,
                question=item.question,
                forced_labour=item.forced_labour,
                escalation=[target.value for target in item.targets],
            )
            for item in RIGHTS_ITEMS
        ],
        items=checks.items,
    )
