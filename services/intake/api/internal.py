"""Internal endpoints (never routed by the gateway; the services' shared token)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from services.intake.db import repository
from shared.db import ReadSession
from shared.errors import NotFound
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/beneficiaries/{beneficiary_id}/card")
async def card(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, Any]:
    """What a provider needs to contact a person referred to it (matching keeps a copy on the
    referral, and drops it if the person is erased). Matching has already checked consent."""
    row = await repository.any_status(session, beneficiary_id)
    if row is None or row.status != "active":
        raise NotFound("No such person.")
    contact = row.profile.get("contact") or {}
    return {
        "given_name": row.given_name,
        "family_name": row.family_name,
        "contact": {
            key: contact[key] for key in ("phone", "email", "preferred_language") if key in contact
        },
    }
