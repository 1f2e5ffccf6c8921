"""``POST /api/v1/beneficiaries/batch``: bulk registration for partner systems."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.intake.api.deps import Matching, Settings
from services.intake.db.models import idempotency
from services.intake.schemas.pages import BatchRequest, BatchResult
from services.intake.service import batch
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/beneficiaries",
    tags=["beneficiaries"],
    route_class=idempotent_routes(idempotency),
)


@router.post(
    "/batch",
    response_model=BatchResult,
    responses=problems(403, 422, 503),
    summary="Register up to 500 people; a result per item (created, possible duplicate, invalid)",
    description="Items are validated one by one: an invalid item does not stop the others unless "
    "`all_or_nothing` is set, in which case nothing is registered and the 422 problem carries "
    "`results` as well as the field `errors` (`body.items.<index>.<field>`).\n\n"
    "Bounds (docs/limits.md): at most `PONTE_INTAKE_BATCH_MAX_ITEMS` items (500); each new person "
    "is compared for duplicates with at most `PONTE_INTAKE_DUPLICATE_CANDIDATES_PER_PERSON` (50) "
    "others, those sharing the most blocking keys first; a batch whose people resemble more than "
    "`PONTE_INTAKE_BATCH_CANDIDATE_ROWS_MAX` (20,000) registered people is refused with 422 "
    "(`code` `too_many_candidates`) and registers nothing: send smaller batches.",
)
async def register_batch(
    body: BatchRequest,
    principal: CurrentPrincipal,
    session: DbSession,
    settings: Settings,
    matching: Matching,
) -> Response:
    limits = batch.Limits(
        max_items=settings.batch_max_items,
        per_person=settings.duplicate_candidates_per_person,
        candidate_rows=settings.batch_candidate_rows_max,
    )
    results = await batch.register_many(
        session,
        principal,
        body.items,
        all_or_nothing=body.all_or_nothing,
        limits=limits,
        matching=matching,
    )
    created = sum(1 for result in results if result["status"] in ("created", "possible_duplicate"))
    return json_response({"created": created, "results": results})
