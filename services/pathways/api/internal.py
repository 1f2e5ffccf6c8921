"""Internal endpoints (never routed by the gateway; the services' shared token): what pathways
holds about a person, for intake's GDPR export; whose a pathway is, for matching's check of a
referral's pathway when its events have not reached matching yet."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from services.pathways.service import internal
from shared.db import ReadSession
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/pathways/{pathway_id}/owner")
async def owner(pathway_id: uuid.UUID, session: ReadSession) -> dict[str, str]:
    """Ids only: the pathway's person and the organisation that runs it."""
    return await internal.owner(session, pathway_id)


@router.get("/beneficiaries/{beneficiary_id}/export")
async def export(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, Any]:
    return await internal.export(session, beneficiary_id)
