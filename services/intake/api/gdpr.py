"""``GET /api/v1/beneficiaries/{id}/export``: the GDPR export (the erasure is
``DELETE /api/v1/beneficiaries/{id}``, in ``beneficiaries.py``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.intake.api.deps import Exports, Settings
from services.intake.db.models import idempotency
from services.intake.schemas.export import BeneficiaryExport
from services.intake.service import gdpr
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


@router.get(
    "/export",
    responses={200: {"model": BeneficiaryExport}, **problems(403, 404)},
    summary="Everything held about the person in every service, with a manifest (GDPR art. 15)",
    description="From intake, pathways, matching and the gateway (the person's app account and "
    "sign-ins, the webhook deliveries about them); with the records merged into the person "
    "(`data.intake.merged_records`). A merged record's id exports the person it was merged "
    "into. The manifest says what each service contributed and which were unavailable.",
)
async def export(
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    settings: Settings,
    client: Exports,
) -> Response:
    document = await gdpr.export(
        session, principal, beneficiary_id, client, settings.other_services()
    )
    return json_response(
        document,
        headers={
            "Content-Disposition": f'attachment; filename="ponte-export-{beneficiary_id}.json"'
        },
    )
