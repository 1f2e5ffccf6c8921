"""A new version of a person's record from a new profile document, and what every such change
owes: its entry in the person's history and ``beneficiary.updated`` for the other services.
Shared by an operator's edit, the territory resolver and the outcomes recorded elsewhere."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import records
from services.intake.db.models import Beneficiary
from services.intake.domain.record import columns
from services.intake.service import events
from shared import clock


def set_profile(row: Beneficiary, profile: dict[str, object], actor: str) -> None:
    """The row's columns from ``profile``, as a new version by ``actor`` (not flushed)."""
    for name, value in columns(profile).items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = clock.now()
    row.updated_by = actor


async def announce(
    session: AsyncSession,
    row: Beneficiary,
    actor: str,
    actor_organization_id: uuid.UUID | None,
    action: str,
    diff: dict[str, object],
) -> None:
    """The change's history entry (``{field: {from, to}}``) and ``beneficiary.updated``."""
    await records.record_change_by(session, actor, actor_organization_id, row.id, action, diff)
    await events.changed(session, row, registered=False)
