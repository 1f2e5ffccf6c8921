"""Internal endpoints (never routed by the gateway; the services' shared token): what matching
holds about a person (its read model, its copy of the access list, the referrals), for intake's
GDPR export; which service points an organisation may name, for pathways."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from services.matching.schemas.territorial_context import (
    ServicePointCheck,
    ServicePointCheckResult,
)
from services.matching.service import internal, territorial_context
from shared.db import ReadSession
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/beneficiaries/{beneficiary_id}/export")
async def export(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, Any]:
    return await internal.export(session, beneficiary_id)


@router.post("/service-points/check", response_model=ServicePointCheckResult)
async def check_service_points(
    body: ServicePointCheck, session: ReadSession
) -> ServicePointCheckResult:
    """Which of the ids exist, are active and are published to the organisation (an assessment's
    or an action's service points), and which territory codes are unknown."""
    found = await territorial_context.check(
        session, body.ids, body.organization_id, body.territory_codes
    )
    return ServicePointCheckResult.model_validate(found)
