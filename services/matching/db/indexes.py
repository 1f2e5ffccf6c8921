"""The revisions of the engine's in-memory indexes (``index_revision``)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.matching.db.models import IndexRevision
from services.matching.db.taxonomy import EscoImport

OFFERS = "offers"
PEOPLE = "people"


async def bump_revision(session: AsyncSession | AsyncConnection, name: str) -> None:
    """Call in the transaction of any change that the index ``name`` reads (the territory
    importer writes through a connection)."""
    await session.execute(
        text(
            "INSERT INTO index_revision (name, revision) VALUES (:name, 1) "
            "ON CONFLICT (name) DO UPDATE SET revision = index_revision.revision + 1"
        ),
        {"name": name},
    )


async def revision(session: AsyncSession, name: str) -> int:
    return (
        await session.scalar(select(IndexRevision.revision).where(IndexRevision.name == name)) or 0
    )


async def revision_and_stamp(session: AsyncSession, name: str) -> tuple[int, str | None]:
    """``revision`` and the taxonomy's stamp (``taxonomy_read.taxonomy_stamp``) in one round
    trip: every ranking asks both."""
    row = (
        await session.execute(
            select(
                select(IndexRevision.revision).where(IndexRevision.name == name).scalar_subquery(),
                select(func.max(EscoImport.imported_at)).scalar_subquery(),
            )
        )
    ).one()
    return row[0] or 0, None if row[1] is None else row[1].isoformat()
