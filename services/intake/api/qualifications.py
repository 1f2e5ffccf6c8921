"""``/api/v1/beneficiaries/{id}/qualifications``: a person's qualifications one at a time, with
the ids recognition procedures name. Each change is a change of the record (its ETag)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from services.intake.api.deps import Matching
from services.intake.db.models import idempotency
from services.intake.schemas.profile import (
    Qualification,
    QualificationFields,
    QualificationList,
    QualificationUpdate,
)
from services.intake.service import qualifications as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.etags import if_match_checker
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}/qualifications",
    tags=["qualifications"],
    route_class=idempotent_routes(idempotency),
)
ETAG_NOTE = (
    "The ETag is the person's record's: a qualification changes with the record, and a PATCH of "
    "either needs the ETag of the last read of either."
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Qualification,
    responses=problems(403, 404, 422),
    summary="Record a qualification of the person (the registering organisation)",
    description="Its id is what a recognition procedure (`recognition.qualification_id` of a "
    "`qualification_recognition` action) names; the procedure's decision then sets "
    "`recognition` and may raise the person's `education_level`. `document_ids` must be the "
    f"person's documents. {ETAG_NOTE}",
)
async def add_qualification(
    beneficiary_id: uuid.UUID,
    body: QualificationFields,
    principal: CurrentPrincipal,
    session: DbSession,
    matching: Matching,
) -> Response:
    row, added = await service.add(session, principal, beneficiary_id, body, matching)
    location = f"/api/v1/beneficiaries/{beneficiary_id}/qualifications/{added['id']}"
    return json_response(added, 201, version=row.version, headers={"Location": location})


@router.get(
    "",
    response_model=QualificationList,
    responses=problems(404),
    summary="The person's qualifications (with the profile section)",
    description="For the registering organisation and those the person shared the profile "
    "section with; 404 for anyone else. Each read is in the access log.",
)
async def list_qualifications(
    beneficiary_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    row, held = await service.listed(session, principal, beneficiary_id)
    return json_response({"items": held, "next_cursor": None}, version=row.version)


@router.get(
    "/{qualification_id}",
    response_model=Qualification,
    responses=problems(404),
    summary="One qualification of the person",
    description=ETAG_NOTE,
)
async def read_qualification(
    beneficiary_id: uuid.UUID,
    qualification_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    row, held = await service.listed(session, principal, beneficiary_id)
    return json_response(service.one_of(held, qualification_id), version=row.version)


@router.patch(
    "/{qualification_id}",
    response_model=Qualification,
    responses=problems(403, 404, 409, 412, 422, 428),
    summary="Change a qualification (If-Match with the record's ETag)",
    description=f"`null` clears an optional field. `recognition` is set only by a decision. "
    f"{ETAG_NOTE}",
)
async def change_qualification(
    beneficiary_id: uuid.UUID,
    qualification_id: uuid.UUID,
    body: QualificationUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    matching: Matching,
) -> Response:
    checked = if_match_checker(request)
    row, changed = await service.change(
        session, principal, beneficiary_id, qualification_id, body, checked, matching
    )
    return json_response(changed, version=row.version)
