"""The loop's steps of a pathway: assessments, actions (respond), monitoring, adjustments, rights
checks. A step out of order answers 409 with ``allowed_next_steps``."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel
from sqlalchemy import select

from services.pathways import casework, recording
from services.pathways.db import repository
from services.pathways.db.models import Action, Step, idempotency
from services.pathways.domain.actions import ActionStatus, check_recognition, check_transition
from services.pathways.domain.loop import Step as Kind
from services.pathways.domain.rights import RIGHTS_ITEMS
from services.pathways.schemas.steps import (
    ActionRead,
    ActionUpdate,
    AdjustmentCreate,
    AssessmentCreate,
    MonitoringCreate,
    RespondCreate,
    RightsCheckCreate,
    StepRead,
)
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.errors import Conflict, NotFound
from shared.etags import check_if_match, etag
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems

router = APIRouter(
    prefix="/api/v1/pathways/{pathway_id}",
    tags=["pathway steps"],
    route_class=idempotent_routes(idempotency),
)
STEP_PROBLEMS = problems(403, 404, 409, 422)


def _step(step: Step, result: dict[str, Any] | None = None) -> StepRead:
    return StepRead(
        id=step.id,
        pathway_id=step.pathway_id,
        cycle=step.cycle,
        kind=step.kind,
        body=step.body,
        recorded_at=step.recorded_at,
        recorded_by=step.recorded_by,
        result=result or {},
    )


async def _post(
    session: DbSession,
    principal: CurrentPrincipal,
    pathway_id: uuid.UUID,
    kind: Kind,
    body: BaseModel,
    response: Response,
) -> StepRead:
    step, result = await recording.record(session, principal, pathway_id, kind, body)
    response.status_code = status.HTTP_201_CREATED
    return _step(step, result)


async def _list(
    session: DbSession, principal: CurrentPrincipal, pathway_id: uuid.UUID, kind: Kind
) -> list[StepRead]:
    await repository.get_visible(session, principal, pathway_id, casework.now())
    rows = await session.scalars(
        select(Step).where(Step.pathway_id == pathway_id, Step.kind == kind.value).order_by(Step.id)
    )
    return [_step(row) for row in rows]


@router.post(
    "/assessments",
    status_code=201,
    response_model=StepRead,
    responses=STEP_PROBLEMS,
    summary="Assess: context, labour-market position, needs; the server proposes the priority",
)
async def assess(
    pathway_id: uuid.UUID,
    body: AssessmentCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(session, principal, pathway_id, Kind.ASSESS, body, response)


@router.get(
    "/assessments",
    response_model=list[StepRead],
    responses=problems(404),
    summary="The assessments, cycle by cycle",
)
async def assessments(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> list[StepRead]:
    return await _list(session, principal, pathway_id, Kind.ASSESS)


@router.post(
    "/actions",
    status_code=201,
    response_model=StepRead,
    responses=STEP_PROBLEMS,
    summary="Respond: add the actions that answer the needs (one respond step per cycle)",
)
async def respond(
    pathway_id: uuid.UUID,
    body: RespondCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(session, principal, pathway_id, Kind.RESPOND, body, response)


@router.get(
    "/actions",
    response_model=list[ActionRead],
    responses=problems(404),
    summary="The pathway's actions",
)
async def actions(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> list[ActionRead]:
    await repository.get_visible(session, principal, pathway_id, casework.now())
    rows = await session.scalars(
        select(Action).where(Action.pathway_id == pathway_id).order_by(Action.created_at, Action.id)
    )
    return [ActionRead.model_validate(row) for row in rows]


@router.get(
    "/actions/{action_id}", response_model=ActionRead, responses=problems(404), summary="One action"
)
async def read_action(
    pathway_id: uuid.UUID,
    action_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> ActionRead:
    await repository.get_visible(session, principal, pathway_id, casework.now())
    action = await session.get(Action, action_id)
    if action is None or action.pathway_id != pathway_id:
        raise NotFound("No such action.")
    response.headers["ETag"] = etag(action.version)
    return ActionRead.model_validate(action)


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
    pathway = await repository.get_for_work(session, principal, pathway_id, casework.now())
    if pathway.status != "open":
        raise Conflict("The pathway is closed.")
    action = await session.get(Action, action_id, with_for_update=True)
    if action is None or action.pathway_id != pathway.id:
        raise NotFound("No such action.")
    check_if_match(request, action.version)
    changes = body.model_dump(exclude_unset=True)
    if body.status is not None:
        problem = check_transition(ActionStatus(action.status), body.status)
        if problem:
            raise recording.invalid("status", problem)
        action.status = body.status.value
    if "due_date" in changes:
        action.due_date = body.due_date
    if body.progress is not None:
        action.progress = body.progress
    if "provider_organization_id" in changes:
        action.provider_organization_id = body.provider_organization_id
    if body.recognition is not None:
        previous = dict(action.recognition or {})
        new = body.recognition.model_dump(mode="json", exclude_unset=True)
        dated = {
            key: value
            for key, value in new.items()
            if key in ("documents_gathered", "translated", "submitted", "decision_on")
        }
        problems_found = check_recognition(
            {
                k: _as_date(v)
                for k, v in previous.items()
                if k in dated
                or k in ("documents_gathered", "translated", "submitted", "decision_on")
            },
            {k: _as_date(v) for k, v in dated.items()},
            decision=new.get("decision", previous.get("decision")),
            today=casework.now().date(),
        )
        if problems_found:
            raise recording.invalid("recognition", "; ".join(problems_found))
        action.recognition = {**previous, **new}
    action.version += 1
    action.updated_at = casework.now()
    repository.note(
        session,
        pathway,
        "action_updated",
        principal.subject,
        action_id=str(action.id),
        fields=sorted(changes),
    )
    await casework.refresh_action_due(session, pathway)
    pathway.version += 1
    response.headers["ETag"] = etag(action.version)
    return ActionRead.model_validate(action)


def _as_date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


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
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(session, principal, pathway_id, Kind.MONITOR, body, response)


@router.get(
    "/monitoring", response_model=list[StepRead], responses=problems(404), summary="The follow-ups"
)
async def monitoring(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> list[StepRead]:
    return await _list(session, principal, pathway_id, Kind.MONITOR)


@router.post(
    "/adjustments",
    status_code=201,
    response_model=StepRead,
    responses=STEP_PROBLEMS,
    summary="Adjust: cancel, add or reschedule actions, with a reason (a new plan version)",
)
async def adjust(
    pathway_id: uuid.UUID,
    body: AdjustmentCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(session, principal, pathway_id, Kind.ADJUST, body, response)


@router.get(
    "/adjustments",
    response_model=list[StepRead],
    responses=problems(404),
    summary="The adjustments",
)
async def adjustments(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> list[StepRead]:
    return await _list(session, principal, pathway_id, Kind.ADJUST)


@router.post(
    "/rights-checks",
    status_code=201,
    response_model=StepRead,
    responses=STEP_PROBLEMS,
    summary="Verify rights: the checklist; every violation opens escalation actions at once",
)
async def verify_rights(
    pathway_id: uuid.UUID,
    body: RightsCheckCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> StepRead:
    return await _post(session, principal, pathway_id, Kind.VERIFY_RIGHTS, body, response)


@router.get(
    "/rights-checks",
    responses=problems(404),
    summary="The rights checks, and the checklist to answer",
)
async def rights_checks(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    checks = await _list(session, principal, pathway_id, Kind.VERIFY_RIGHTS)
    return {
        "checklist": [
            {
                "item": item.code,
                "question": item.question,
                "forced_labour": item.forced_labour,
                "escalation": [target.value for target in item.targets],
            }
            for item in RIGHTS_ITEMS
        ],
        "items": [check.model_dump(mode="json") for check in checks],
    }
