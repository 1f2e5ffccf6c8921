"""What intake answers the other services over the internal API."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import beneficiaries


async def card(session: AsyncSession, beneficiary_id: uuid.UUID) -> dict[str, Any]:
    """What a provider needs to contact a person referred to it (matching keeps a copy on the
    referral, and drops it if the person is erased). Matching has already checked consent."""
    row = await beneficiaries.active_or_404(session, beneficiary_id)
    contact = row.profile.get("contact") or {}
    return {
        "given_name": row.given_name,
        "family_name": row.family_name,
        "contact": {
            key: contact[key] for key in ("phone", "email", "preferred_language") if key in contact
        },
    }
