"""The pathways repository: whose each pathway is (``pathway_owner``, from pathways' events or
asked of pathways once)."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.models import PathwayOwner, beneficiary_access
from shared import clock


async def known(session: AsyncSession, pathway_id: uuid.UUID) -> bool:
    return await session.get(PathwayOwner, pathway_id) is not None


async def owned(
    session: AsyncSession,
    organization_id: uuid.UUID | None,
    pathway_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
) -> bool:
    """The pathway is the organisation's for the person (or for a record merged into them)."""
    merged_here = select(beneficiary_access.c.beneficiary_id).where(
        beneficiary_access.c.merged_into == beneficiary_id
    )
    found = await session.scalar(
        select(PathwayOwner.pathway_id).where(
            PathwayOwner.pathway_id == pathway_id,
            PathwayOwner.organization_id == organization_id,
            or_(
                PathwayOwner.beneficiary_id == beneficiary_id,
                PathwayOwner.beneficiary_id.in_(merged_here),
            ),
        )
    )
    return found is not None


async def remember(
    session: AsyncSession,
    pathway_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
    organization_id: uuid.UUID,
) -> None:
    """Keep whose the pathway is; the first answer stays."""
    await session.execute(
        insert(PathwayOwner)
        .values(
            pathway_id=pathway_id,
            beneficiary_id=beneficiary_id,
            organization_id=organization_id,
            updated_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=[PathwayOwner.pathway_id])
    )


async def repoint(session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID) -> None:
    await session.execute(
        update(PathwayOwner)
        .where(PathwayOwner.beneficiary_id == merged_id)
        .values(beneficiary_id=survivor_id, updated_at=clock.now())
    )
