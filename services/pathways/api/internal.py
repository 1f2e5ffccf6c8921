"""Internal endpoints (never routed by the gateway; the services' shared token): what pathways
holds about a person, for intake's GDPR export."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import select

from services.pathways.db.models import beneficiary_access
from shared.db import ReadSession
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/beneficiaries/{beneficiary_id}/export")
async def export(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, Any]:
    rows = await session.execute(
        select(beneficiary_access).where(beneficiary_access.c.beneficiary_id == beneficiary_id)
    )
    return {"access": [dict(row._mapping) for row in rows]}
