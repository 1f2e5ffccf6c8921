"""``POST /api/v1/beneficiaries/{id}/merge``: fold a duplicate into a record."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.intake.db.models import idempotency
from services.intake.schemas.beneficiary import BeneficiaryRead
from services.intake.schemas.pages import MergeRequest
from services.intake.service import merge as service
from services.intake.service.beneficiaries import as_shown
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}",
    tags=["beneficiaries"],
    route_class=idempotent_routes(idempotency),
)


@router.post(
    "/merge",
    response_model=BeneficiaryRead,
    responses=problems(404, 409, 422),
    summary="Fold a duplicate into this record (both registered by your organisation)",
)
async def merge(
    beneficiary_id: uuid.UUID, body: MergeRequest, principal: CurrentPrincipal, session: DbSession
) -> Response:
    row, view = await service.merge(session, principal, beneficiary_id, body.merged_id)
    return json_response(as_shown(row, view), version=row.version)
