"""Internal endpoints (never routed by the gateway; the services' shared token): what matching
holds about a person (its read model, its copy of the access list, the referrals), for intake's
GDPR export; which territory codes exist and which municipality a name stands for, for intake and
the gateway, which store codes beside place names; which service points an organisation may name,
for pathways."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from services.matching.schemas.territorial_context import (
    ServicePointCheck,
    ServicePointCheckResult,
)
from services.matching.service import internal, territorial_context, territories
from shared.contracts import territories as contract
from shared.db import ReadSession
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/beneficiaries/{beneficiary_id}/export")
async def export(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, Any]:
    return await internal.export(session, beneficiary_id)


@router.post(contract.CHECK_PATH.removeprefix("/internal"))
async def check_territories(body: contract.CodesCheck, session: ReadSession) -> contract.KnownCodes:
    """Those of the codes that name a territory (the others are unknown)."""
    return await territories.known(session, list(body.codes))


@router.post(contract.RESOLVE_PATH.removeprefix("/internal"))
async def resolve_territories(
    body: contract.NamesResolve, session: ReadSession
) -> contract.Resolution:
    """Each municipality name's code where exactly one LAU has that name (case and accents
    aside), else null; the LAU of an ambiguous name."""
    return await territories.resolution(session, list(body.names))


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
