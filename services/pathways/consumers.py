"""What pathways does with intake's events: keep its copy of who may see whom; on erasure and
merge, the pathway data of the person (from the pathways issue on) follows."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import beneficiary_access, beneficiary_grant
from shared import access_mirror
from shared.contracts import intake as contract
from shared.events import EventEnvelope, EventHandler


async def on_access_changed(session: AsyncSession, event: EventEnvelope) -> None:
    await access_mirror.apply_access_changed(
        session, beneficiary_access, event.payload, beneficiary_grant
    )


async def on_erased(session: AsyncSession, event: EventEnvelope) -> None:
    await access_mirror.apply_erased(session, beneficiary_access, event.payload, beneficiary_grant)


async def on_merged(session: AsyncSession, event: EventEnvelope) -> None:
    await access_mirror.apply_merged(session, beneficiary_access, event.payload, beneficiary_grant)


HANDLERS: dict[str, EventHandler] = {
    contract.ACCESS_CHANGED: on_access_changed,
    contract.ERASED: on_erased,
    contract.MERGED: on_merged,
}
