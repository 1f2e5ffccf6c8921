"""Pathways' copy of matching's referral states (from ``referral.status_changed``): which
referrals of an organisation still wait for the provider's answer."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import copies
from services.pathways.db.models import Referral
from shared.contracts.matching import ReferralChanged

PROPOSED = "proposed"


async def record(session: AsyncSession, changed: ReferralChanged, on: date) -> None:
    """The referral's newest status. A proposal only creates the copy: one delivered late, after
    the provider's answer, does not put the referral back to waiting."""
    values = {
        "id": changed.referral_id,
        "beneficiary_id": changed.beneficiary_id,
        "organization_id": changed.organization_id,
        "pathway_id": changed.pathway_id,
        "status": changed.status,
        "proposed_on": on,
    }
    answered = None if changed.status == PROPOSED else {"status": changed.status}
    await copies.record(session, Referral, values, answered)
