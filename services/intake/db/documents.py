"""Statements over documents' metadata. Every read names the person and the sections the caller
may read, so a document of a section not shared is "not there" in the same query."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import Select, delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.models import StoredDocument
from shared.pagination import decode_cursor

KEY = (StoredDocument.created_at, StoredDocument.id)


def readable(beneficiary_id: uuid.UUID, sections: Sequence[str]) -> Select[StoredDocument]:
    return select(StoredDocument).where(
        StoredDocument.beneficiary_id == beneficiary_id, StoredDocument.section.in_(sections)
    )


async def add(session: AsyncSession, document: StoredDocument) -> None:
    session.add(document)
    await session.flush()


async def one(
    session: AsyncSession,
    beneficiary_id: uuid.UUID,
    sections: Sequence[str],
    document_id: uuid.UUID,
    *,
    lock: bool = False,
) -> StoredDocument | None:
    statement = readable(beneficiary_id, sections).where(StoredDocument.id == document_id)
    if lock:
        statement = statement.with_for_update()
    found: StoredDocument | None = await session.scalar(statement)
    return found


async def page(
    session: AsyncSession,
    beneficiary_id: uuid.UUID,
    sections: Sequence[str],
    cursor: str | None,
    limit: int,
) -> Sequence[StoredDocument]:
    """Newest first: keyset pagination downwards on (created_at, id)."""
    statement = readable(beneficiary_id, sections)
    if cursor:
        statement = statement.where(tuple_(*KEY) < tuple(decode_cursor(cursor, KEY)))
    statement = statement.order_by(*(column.desc() for column in KEY)).limit(limit + 1)
    return (await session.scalars(statement)).all()


async def remove(session: AsyncSession, document: StoredDocument) -> None:
    await session.delete(document)
    await session.flush()


async def move(session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID) -> None:
    """A merge: the documents follow the person (their bytes stay where they are)."""
    await session.execute(
        update(StoredDocument)
        .where(StoredDocument.beneficiary_id == merged_id)
        .values(beneficiary_id=survivor_id)
    )


async def erase(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[str]:
    """An erasure: the rows go; the storage keys they named, for the bytes to go too."""
    keys = await session.scalars(
        delete(StoredDocument)
        .where(StoredDocument.beneficiary_id == beneficiary_id)
        .returning(StoredDocument.storage_key)
    )
    return list(keys.all())


async def get(session: AsyncSession, document_id: uuid.UUID) -> StoredDocument | None:
    """Whoever's it is: for the malware scan, which acts for no caller."""
    found: StoredDocument | None = await session.get(StoredDocument, document_id)
    return found


async def pending_ids(session: AsyncSession, status: str, limit: int) -> list[uuid.UUID]:
    """The oldest documents still waiting for their scan."""
    found = await session.scalars(
        select(StoredDocument.id).where(StoredDocument.status == status).order_by(*KEY).limit(limit)
    )
    return list(found.all())


async def settle(
    session: AsyncSession, document_id: uuid.UUID, waiting: str, status: str
) -> str | None:
    """The scan's verdict, if the document is still there and still waiting (an erasure, a
    DELETE or another replica's scan may have come first); its storage key when it changed."""
    key: str | None = await session.scalar(
        update(StoredDocument)
        .where(StoredDocument.id == document_id, StoredDocument.status == waiting)
        .values(status=status)
        .returning(StoredDocument.storage_key)
    )
    return key


async def owned(
    session: AsyncSession, beneficiary_id: uuid.UUID, document_ids: Iterable[str]
) -> set[str]:
    """Which of ``document_ids`` are the person's documents."""
    wanted = [uuid.UUID(document) for document in document_ids]
    found = await session.scalars(
        select(StoredDocument.id).where(
            StoredDocument.beneficiary_id == beneficiary_id, StoredDocument.id.in_(wanted)
        )
    )
    return {str(document) for document in found}
