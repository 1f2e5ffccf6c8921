"""Internal endpoints (never routed by the gateway; the services' shared token): what matching
holds about a person (its read model, its copy of the access list, the referrals), for intake's
GDPR export."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import select

from services.matching.db.models import CandidateProfile, Referral, beneficiary_access
from shared.db import ReadSession
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/beneficiaries/{beneficiary_id}/export")
async def export(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, Any]:
    access = await session.execute(
        select(beneficiary_access).where(beneficiary_access.c.beneficiary_id == beneficiary_id)
    )
    profiles = await session.scalars(
        select(CandidateProfile).where(CandidateProfile.beneficiary_id == beneficiary_id)
    )
    referrals = await session.scalars(
        select(Referral).where(Referral.beneficiary_id == beneficiary_id).order_by(Referral.id)
    )
    return {
        "access": [dict(row._mapping) for row in access],
        "referrals": [
            {
                "id": referral.id,
                "offer_id": referral.offer_id,
                "status": referral.status,
                "reason": referral.reason,
                "history": referral.history,
                "person_card": referral.person_card,
                "created_at": referral.created_at,
            }
            for referral in referrals
        ],
        "profiles": [
            {
                "organization_id": profile.organization_id,
                "profile": profile.profile,
                "updated_at": profile.updated_at,
            }
            for profile in profiles
        ],
    }
