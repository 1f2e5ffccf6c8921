"""Internal endpoints (never routed by the gateway; the services' shared token): what matching
holds about a person (its read model, its copy of the access list, the referrals), for intake's
GDPR export."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from services.matching.service import internal
from shared.db import ReadSession
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/beneficiaries/{beneficiary_id}/export")
async def export(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, Any]:
    return await internal.export(session, beneficiary_id)
