"""``/api/v1/pathways``: open, list (the caseload), read, reassign, close; the timeline, the
employment ladder and the placement follow-ups of a pathway."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy import ColumnElement, Integer, and_, cast, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways import casework
from services.pathways.db import repository
from services.pathways.db.models import (
    EmploymentChange,
    FollowUp,
    Pathway,
    Person,
    TimelineEntry,
    idempotency,
)
from services.pathways.domain.employment import EmploymentStatus, transitions
from services.pathways.domain.loop import Step
from services.pathways.schemas.pathway import (
    CloseRequest,
    FollowUpRead,
    FollowUpRecord,
    LadderRead,
    PathwayCreate,
    PathwayPage,
    PathwayRead,
    PathwayUpdate,
    TimelineRead,
)
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.errors import NotFound
from shared.etags import check_if_match
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import (
    CursorParam,
    Limit,
    Page,
    decode_cursor,
    encode_cursor,
    keyset,
    page_of,
)
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/pathways",
    tags=["pathways"],
    route_class=idempotent_routes(idempotency),
)


async def _read(session: AsyncSession, pathway: Pathway) -> Response:
    permit = await casework.permit_expiry(session, pathway.beneficiary_id)
    return json_response(
        casework.as_read(pathway, permit, casework.now().date()), version=pathway.version
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PathwayRead,
    responses=problems(403, 404, 409),
    summary="Open a pathway for a person you may see (one open per person and organisation)",
)
async def open_pathway(
    body: PathwayCreate, principal: CurrentPrincipal, session: DbSession
) -> Response:
    pathway = await casework.open_pathway(session, principal, body)
    response = await _read(session, pathway)
    response.status_code = status.HTTP_201_CREATED
    response.headers["Location"] = f"/api/v1/pathways/{pathway.id}"
    return response


def _late(today: date) -> ColumnElement[int]:
    """Days the most overdue of the follow-up and the actions is late (0 when none is)."""
    return func.greatest(
        func.coalesce(literal(today) - Pathway.next_monitoring_due, 0),
        func.coalesce(literal(today) - Pathway.next_action_due, 0),
        0,
    )


@router.get(
    "",
    response_model=PathwayPage,
    summary="Pathways you may see; the caseload is assigned_to=me&overdue=true",
    description="Sorted by urgency: urgent first, then by days overdue. `overdue=true` keeps what "
    "needs attention: follow-up or actions overdue, open rights violations, urgent, or a residence "
    "permit expiring within 60 days.",
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
    status_filter: Annotated[Literal["open", "closed"] | None, Query(alias="status")] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    moment = casework.now()
    today = moment.date()
    late = _late(today)
    urgency = -cast(Pathway.urgent, Integer)
    statement = (
        select(Pathway, Person.permit_expires_on, late.label("late"))
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(repository.person_visible(principal, Pathway.beneficiary_id, moment))
    )
    if beneficiary_id is not None:
        statement = statement.where(Pathway.beneficiary_id == beneficiary_id)
    if stage is not None:
        statement = statement.where(Pathway.stage == stage.value)
    if assigned_to is not None:
        statement = statement.where(
            Pathway.assigned_to == (principal.subject if assigned_to == "me" else assigned_to)
        )
    if status_filter is not None:
        statement = statement.where(Pathway.status == status_filter)
    if overdue is not None:
        needs_attention = and_(
            Pathway.status == "open",
            or_(
                Pathway.urgent,
                Pathway.open_rights_violations > 0,
                Pathway.next_monitoring_due < today,
                Pathway.next_action_due < today,
                Person.permit_expires_on <= today + timedelta(days=casework.PERMIT_WARNING_DAYS),
            ),
        )
        statement = statement.where(needs_attention if overdue else ~needs_attention)
    key = (urgency, -late, Pathway.id)
    if cursor:
        statement = statement.where(
            tuple_(*key) > tuple(decode_cursor(cursor, (int, int, uuid.UUID)))
        )
    rows = (await session.execute(statement.order_by(*key).limit(limit + 1))).all()
    shown = rows[:limit]
    items = [casework.as_read(row[0], row[1], today) for row in shown]
    next_cursor = None
    if len(rows) > limit and shown:
        last = shown[-1]
        next_cursor = encode_cursor((-int(last[0].urgent), -int(last[2]), last[0].id))
    return json_response({"items": items, "next_cursor": next_cursor})


@router.get(
    "/{pathway_id}", response_model=PathwayRead, responses=problems(404), summary="One pathway"
)
async def read_pathway(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    return await _read(
        session, await repository.get_visible(session, principal, pathway_id, casework.now())
    )


@router.patch(
    "/{pathway_id}",
    response_model=PathwayRead,
    responses=problems(403, 404, 412, 428),
    summary="Reassign a pathway to another operator (If-Match)",
)
async def update_pathway(
    pathway_id: uuid.UUID,
    body: PathwayUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    pathway = await repository.get_for_work(session, principal, pathway_id, casework.now())
    check_if_match(request, pathway.version)
    await casework.reassign(session, principal, pathway, body.assigned_to)
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
    pathway = await repository.get_for_work(session, principal, pathway_id, casework.now())
    await casework.close(session, principal, pathway, body)
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
    await repository.get_visible(session, principal, pathway_id, casework.now())
    statement = select(TimelineEntry).where(TimelineEntry.pathway_id == pathway_id)
    rows = (await session.scalars(keyset(statement, (TimelineEntry.id,), cursor, limit))).all()
    return page_of(rows, limit, lambda row: (row.id,), TimelineRead.model_validate)


@router.get(
    "/{pathway_id}/employment",
    response_model=LadderRead,
    responses=problems(404),
    summary="The employment ladder over time: every dated status and the transitions",
)
async def employment(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> LadderRead:
    await repository.get_visible(session, principal, pathway_id, casework.now())
    rows = (
        await session.scalars(
            select(EmploymentChange)
            .where(EmploymentChange.pathway_id == pathway_id)
            .order_by(EmploymentChange.effective_on, EmploymentChange.id)
        )
    ).all()
    history = [(row.effective_on, EmploymentStatus(row.status)) for row in rows]
    moves = transitions(history)
    return LadderRead(
        statuses=[{"status": row.status, "on": row.effective_on.isoformat()} for row in rows],
        transitions=[
            {
                "from_status": move.from_status,
                "to_status": move.to_status,
                "on": move.on,
                "upward": move.upward,
            }  # type: ignore[misc]
            for move in moves
        ],
    )


@router.get(
    "/{pathway_id}/follow-ups",
    response_model=list[FollowUpRead],
    responses=problems(404),
    summary="Retention follow-ups after a placement (3, 6 and 12 months)",
)
async def follow_ups(
    pathway_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> list[FollowUpRead]:
    await repository.get_visible(session, principal, pathway_id, casework.now())
    rows = await session.scalars(
        select(FollowUp).where(FollowUp.pathway_id == pathway_id).order_by(FollowUp.due_on)
    )
    return [FollowUpRead.model_validate(row) for row in rows]


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
    pathway = await repository.get_for_work(session, principal, pathway_id, casework.now())
    row = await session.get(FollowUp, follow_up_id, with_for_update=True)
    if row is None or row.pathway_id != pathway.id:
        raise NotFound("No such follow-up.")
    for field, value in body.model_dump().items():
        setattr(row, field, value.value if hasattr(value, "value") else value)
    row.recorded_at = casework.now()
    row.recorded_by = principal.subject
    repository.note(
        session,
        pathway,
        "follow_up",
        principal.subject,
        months=row.months,
        still_in_work=body.still_in_work,
    )
    await session.flush()
    return FollowUpRead.model_validate(row)
