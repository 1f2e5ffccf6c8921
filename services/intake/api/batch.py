"""``POST /api/v1/beneficiaries/batch``: bulk registration for partner systems."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response

from services.intake.api.deps import Matching, Settings
from services.intake.db.models import idempotency
from services.intake.domain.enums import BatchMode
from services.intake.schemas.job import JobRead
from services.intake.schemas.pages import BatchRequest, BatchResult
from services.intake.service import batch, jobs, upsert
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
    responses={
        **problems(403, 422, 503),
        202: {
            "model": JobRead,
            "description": "More than 500 items: a job, processed in the background; poll Location",
        },
    },
    summary="Register (or upsert by external_id) people in bulk; a result per item",
    description="Items are validated one by one: an invalid item does not stop the others unless "
    "`all_or_nothing` is set (create mode), in which case nothing is registered and the 422 "
    "problem carries `results` as well as the field `errors` (`body.items.<index>.<field>`).\n\n"
    "`mode: upsert`: every item carries your system's `external_id`. The record your "
    "organisation registered under it is changed by PATCH's rules with the fields the item "
    "carries (`updated`), or left as it is when nothing would change (`unchanged`, nothing "
    "written, no event); otherwise the person is registered (`created`). An item that fails "
    "(invalid, a record PATCH refuses, an external_id an earlier item carries) is `error`, with "
    "its `problem`. Other organisations' external_ids are never matched.\n\n"
    "Bounds (docs/limits.md): up to `PONTE_INTAKE_BATCH_MAX_ITEMS` items (500) are answered at "
    "once (200); up to `PONTE_INTAKE_BATCH_JOB_MAX_ITEMS` (10,000), within the body limit "
    "(`PONTE_MAX_BODY_BYTES`, 5 MiB), the batch is stored and answered 202 with the job "
    "(`Location: /api/v1/jobs/{id}`), processed in chunks in the background. Each new person "
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
    if len(body.items) > settings.batch_max_items:
        job = await jobs.submit(
            session,
            principal,
            body.items,
            mode=body.mode,
            all_or_nothing=body.all_or_nothing,
            max_items=settings.batch_job_max_items,
        )
        document = jobs.document(job, [], None, timedelta(hours=settings.job_retention_hours))
        return json_response(document, 202, headers={"Location": jobs.location(job)})
    limits = batch.Limits(
        max_items=settings.batch_max_items,
        per_person=settings.duplicate_candidates_per_person,
        candidate_rows=settings.batch_candidate_rows_max,
    )
    if body.mode is BatchMode.UPSERT:
        results = await upsert.upsert_many(
            session, principal, body.items, matching=matching, limits=limits
        )
    else:
        results = await batch.register_many(
            session,
            principal,
            body.items,
            all_or_nothing=body.all_or_nothing,
            limits=limits,
            matching=matching,
        )
    return json_response(batch.summary(results))
