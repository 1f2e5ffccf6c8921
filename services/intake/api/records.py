"""A person's history, access log and look-alikes (the merge: ``merge.py``; the export:
``gdpr.py``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.intake.api.deps import VisibleBeneficiary
from services.intake.db.models import idempotency
from services.intake.schemas.consent import AccessLogRead, ChangeRead
from services.intake.schemas.pages import DuplicateList
from services.intake.service import outcomes, records
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}",
    tags=["beneficiaries"],
    route_class=idempotent_routes(idempotency),
)


# The actions whose changes are {field: {from, to}}: an edit, and the outcomes that changed the
# profile.
FIELD_CHANGES = frozenset(
    {
        "updated",
        outcomes.LANGUAGE_CERTIFIED,
        outcomes.RECOGNITION_DECIDED,
        outcomes.TRAINING_COMPLETED,
    }
)


@router.get(
    "/history",
    response_model=Page[ChangeRead],
    responses=problems(404),
    summary="Who changed which field when (the registering organisation)",
)
async def history(
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[ChangeRead]:
    rows = await records.history(session, principal, beneficiary_id, cursor, limit)
    return page_of(
        rows,
        limit,
        lambda row: (row.id,),
        lambda row: ChangeRead(
            id=row.id,
            action=row.action,
            fields=sorted(row.changes) if row.action in FIELD_CHANGES else [],
            changes=row.changes,
            actor=row.actor,
            actor_organization_id=row.actor_organization_id,
            changed_at=row.changed_at,
        ),
    )


@router.get(
    "/access-log",
    response_model=Page[AccessLogRead],
    responses=problems(404),
    summary="Who read the record, when and why (org admins of the registering organisation)",
)
async def access_log(
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[AccessLogRead]:
    rows = await records.access_log(session, principal, beneficiary_id, cursor, limit)
    return page_of(rows, limit, lambda row: (row.id,), AccessLogRead.model_validate)


@router.get(
    "/duplicates",
    response_model=DuplicateList,
    responses=problems(404),
    summary="People you may see who look like this one, with a score and the reasons",
)
async def duplicates(
    beneficiary: VisibleBeneficiary, principal: CurrentPrincipal, session: DbSession
) -> Response:
    found = await records.duplicates(session, principal, beneficiary.row)
    return json_response({"items": found, "next_cursor": None})
