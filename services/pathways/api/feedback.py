"""Participants' answers to the questionnaire after an action: ``/api/v1/pathways/{id}/feedback``
(the organisation running the pathway) and ``/api/v1/me/pathways/{id}/feedback`` (the person,
in the self-service app)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.pathways.db.models import idempotency
from services.pathways.schemas.projects import FeedbackCreate, FeedbackList, FeedbackRead
from services.pathways.service import feedback as service
from shared.auth import CurrentPrincipal
from shared.auth.person import CurrentPerson
from shared.db import DbSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.responses import json_response

router = APIRouter(tags=["projects"], route_class=idempotent_routes(idempotency))
QUESTIONS = (
    "Did the support help the person's integration (the fund's result indicator), and how "
    "satisfied they are (1 to 5); optionally the action it is about."
)


def _answer(feedback: object, code: int = 200) -> Response:
    return json_response(FeedbackRead.model_validate(feedback).model_dump(mode="json"), code)


@router.post(
    "/api/v1/pathways/{pathway_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackRead,
    responses=problems(403, 404, 422),
    summary="Record the participant's answers to the questionnaire after an action",
    description=f"{QUESTIONS} By the organisation running the pathway.",
)
async def record_feedback(
    pathway_id: uuid.UUID, body: FeedbackCreate, principal: CurrentPrincipal, session: DbSession
) -> Response:
    return _answer(await service.recorded(session, principal, pathway_id, body), 201)


@router.get(
    "/api/v1/pathways/{pathway_id}/feedback",
    response_model=FeedbackList,
    responses=problems(404),
    summary="The participant's answers on this pathway, newest first",
)
async def list_feedback(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    found = await service.of_pathway(session, principal, pathway_id)
    items = [FeedbackRead.model_validate(row).model_dump(mode="json") for row in found]
    return json_response({"items": items, "next_cursor": None})


@router.post(
    "/api/v1/me/pathways/{pathway_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackRead,
    responses=problems(403, 404, 422),
    tags=["self-service"],
    summary="Answer the questionnaire after an action, in the app (your own open pathway)",
    description=f"{QUESTIONS} Send an `Idempotency-Key`: a retry on a flaky network records "
    "the answer once.",
)
async def answer_feedback(
    pathway_id: uuid.UUID,
    body: FeedbackCreate,
    person: CurrentPerson,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    return _answer(await service.answered(session, principal, person, pathway_id, body), 201)
