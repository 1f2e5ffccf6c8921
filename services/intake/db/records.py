"""What is recorded about a person: the history of changes (who changed what when) and the access
log (who read the record, when and why). Both are kept after an erasure, without the values."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.models import AccessLogEntry, Change, Erasure
from shared.auth import Principal
from shared.pagination import keyset


async def log_access(
    session: AsyncSession,
    principal: Principal,
    beneficiary_ids: Sequence[uuid.UUID],
    *,
    action: str,
    purpose: str,
    emergency: bool = False,
) -> None:
    """One row per person read, in one statement (lists log every person they return)."""
    if not beneficiary_ids:
        return
    await session.execute(
        insert(AccessLogEntry),
        [
            {
                "beneficiary_id": beneficiary_id,
                "actor": principal.subject,
                "actor_organization_id": principal.organization_id,
                "action": action,
                "purpose": purpose,
                "emergency": emergency,
            }
            for beneficiary_id in beneficiary_ids
        ],
    )


async def record_change(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    action: str,
    changes: dict[str, object],
) -> None:
    await record_change_by(
        session, principal.subject, principal.organization_id, beneficiary_id, action, changes
    )


async def record_change_by(
    session: AsyncSession,
    actor: str,
    actor_organization_id: uuid.UUID | None,
    beneficiary_id: uuid.UUID,
    action: str,
    changes: dict[str, object],
) -> None:
    session.add(
        Change(
            beneficiary_id=beneficiary_id,
            action=action,
            changes=changes,
            actor=actor,
            actor_organization_id=actor_organization_id,
        )
    )
    await session.flush()


async def record_registrations(
    session: AsyncSession, principal: Principal, registered: Iterable[tuple[uuid.UUID, list[str]]]
) -> None:
    """A batch's "registered" history rows (person, fields) in one statement."""
    await session.execute(
        insert(Change),
        [
            {
                "beneficiary_id": beneficiary_id,
                "action": "registered",
                "changes": {"fields": fields},
                "actor": principal.subject,
                "actor_organization_id": principal.organization_id,
            }
            for beneficiary_id, fields in registered
        ],
    )


async def history_page(
    session: AsyncSession, beneficiary_id: uuid.UUID, cursor: str | None, limit: int
) -> Sequence[Change]:
    statement = select(Change).where(Change.beneficiary_id == beneficiary_id)
    return (await session.scalars(keyset(statement, (Change.id,), cursor, limit))).all()


async def access_log_page(
    session: AsyncSession, beneficiary_id: uuid.UUID, cursor: str | None, limit: int
) -> Sequence[AccessLogEntry]:
    statement = select(AccessLogEntry).where(AccessLogEntry.beneficiary_id == beneficiary_id)
    return (await session.scalars(keyset(statement, (AccessLogEntry.id,), cursor, limit))).all()


async def forget_values(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    """The audit trail keeps who did what when; the values go (an erasure)."""
    changes = await session.scalars(select(Change).where(Change.beneficiary_id == beneficiary_id))
    for change in changes.all():
        change.changes = {"fields": sorted(change.changes)} if change.action == "updated" else {}


async def held(
    session: AsyncSession, model: Any, beneficiary_id: uuid.UUID, *order: Any
) -> list[Any]:
    """Every row of ``model`` about the person (an export)."""
    found = await session.scalars(
        select(model).where(model.beneficiary_id == beneficiary_id).order_by(*order)
    )
    return list(found.all())


def record_erasure(
    session: AsyncSession,
    beneficiary_id: uuid.UUID,
    moment: datetime,
    requested_by: str,
    event_id: uuid.UUID,
) -> None:
    """Who erased the person when, and the event that told the other services."""
    session.add(
        Erasure(
            beneficiary_id=beneficiary_id,
            requested_at=moment,
            requested_by=requested_by,
            event_id=event_id,
        )
    )
