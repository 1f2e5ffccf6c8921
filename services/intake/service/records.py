"""What is recorded about a person, for the registering organisation: the history of changes,
the access log (its org admins), and the people who look like the person."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import beneficiaries, records
from services.intake.db.models import AccessLogEntry, Beneficiary, Change
from services.intake.domain import access
from services.intake.errors import BeneficiaryNotFound
from services.intake.service.beneficiaries import possible_duplicates
from shared.auth import Principal


async def _owned(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, *, admin: bool = False
) -> None:
    row, view = await beneficiaries.get_visible(session, principal, beneficiary_id)
    allowed = access.may_read_access_log(principal, row.organization_id) if admin else view.owner
    if not allowed:
        raise BeneficiaryNotFound


async def history(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> Sequence[Change]:
    await _owned(session, principal, beneficiary_id)
    return await records.history_page(session, beneficiary_id, cursor, limit)


async def access_log(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> Sequence[AccessLogEntry]:
    await _owned(session, principal, beneficiary_id, admin=True)
    return await records.access_log_page(session, beneficiary_id, cursor, limit)


async def duplicates(
    session: AsyncSession, principal: Principal, row: Beneficiary
) -> list[dict[str, Any]]:
    """Everyone the caller may see who resembles the person, under the threshold too."""
    return await possible_duplicates(session, principal, row, threshold_only=False)
