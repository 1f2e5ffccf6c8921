"""The person's own record in the self-service app (role ``beneficiary``): a reduced profile.
Their consents and the emergency accesses to their record: ``consents.py`` and ``emergency.py``,
with the person's id from the token."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import beneficiaries, records
from services.intake.db.models import Beneficiary
from shared.auth import Principal


async def own_profile(
    session: AsyncSession, principal: Principal, person: uuid.UUID
) -> Beneficiary:
    """The person's active record, the read logged."""
    row = await beneficiaries.active_or_404(session, person)
    await records.log_access(
        session, principal, [row.id], action="read", purpose="GET /api/v1/me/profile"
    )
    return row
