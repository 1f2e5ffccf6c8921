"""Internal endpoints (never routed by the gateway; the services' shared token)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from services.intake.service import internal as service
from shared.db import ReadSession
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/beneficiaries/{beneficiary_id}/card")
async def card(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, Any]:
    """What a provider needs to contact a person referred to it."""
    return await service.card(session, beneficiary_id)
