"""What matching holds about a person, for intake's GDPR export: its copy of the access list,
its read model and the referrals."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import people, referrals


async def export(session: AsyncSession, beneficiary_id: uuid.UUID) -> dict[str, Any]:
    access, profiles = await people.export(session, beneficiary_id)
    rows = await referrals.of_person(session, beneficiary_id)
    return {
        "access": access,
        "referrals": [
            {
                "id": referral.id,
                "offer_id": referral.offer_id,
                "service_point_id": referral.service_point_id,
                "status": referral.status,
                "reason": referral.reason,
                "history": referral.history,
                "person_card": referral.person_card,
                "match": referral.match,
                "created_at": referral.created_at,
            }
            for referral in rows
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
