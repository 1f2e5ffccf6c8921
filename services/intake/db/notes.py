"""Statements over case notes. Every read names the person and the sections the caller may read,
so a note of a section not shared is "not there" in the same query. Notes are only inserted:
nothing here updates one, except a merge moving them to the survivor."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.models import Note
from shared.pagination import decode_cursor

KEY = (Note.created_at, Note.id)


def readable(beneficiary_id: uuid.UUID, sections: Sequence[str]) -> Select[Note]:
    """The person's notes in ``sections`` (those the caller may read)."""
    return select(Note).where(Note.beneficiary_id == beneficiary_id, Note.section.in_(sections))


async def add(session: AsyncSession, note: Note) -> None:
    session.add(note)
    await session.flush()


async def one(
    session: AsyncSession, beneficiary_id: uuid.UUID, sections: Sequence[str], note_id: uuid.UUID
) -> Note | None:
    found: Note | None = await session.scalar(
        readable(beneficiary_id, sections).where(Note.id == note_id)
    )
    return found


async def page(
    session: AsyncSession,
    beneficiary_id: uuid.UUID,
    sections: Sequence[str],
    pathway_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Sequence[Note]:
    """Newest first: keyset pagination downwards on (created_at, id)."""
    statement = readable(beneficiary_id, sections)
    if pathway_id is not None:
        statement = statement.where(Note.pathway_id == pathway_id)
    if cursor:
        statement = statement.where(tuple_(*KEY) < tuple(decode_cursor(cursor, KEY)))
    statement = statement.order_by(Note.created_at.desc(), Note.id.desc()).limit(limit + 1)
    return (await session.scalars(statement)).all()


async def corrections_of(
    session: AsyncSession, note_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """For each of ``note_ids``, the notes that correct it, oldest first. A correction is in the
    section of the note it corrects, so whoever reads the note reads its corrections."""
    if not note_ids:
        return {}
    rows = await session.execute(
        select(Note.corrects, Note.id)
        .where(Note.corrects.in_(note_ids))
        .order_by(Note.created_at, Note.id)
    )
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for corrected, correction in rows:
        if corrected is not None:  # always, by the WHERE
            found.setdefault(corrected, []).append(correction)
    return found


async def of_person(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[Note]:
    """Every note of the person, oldest first (an export)."""
    found = await session.scalars(
        select(Note).where(Note.beneficiary_id == beneficiary_id).order_by(*KEY)
    )
    return list(found.all())


async def move(session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID) -> None:
    """A merge: the notes follow the person (as consents and pathways do)."""
    await session.execute(
        update(Note).where(Note.beneficiary_id == merged_id).values(beneficiary_id=survivor_id)
    )


async def erase(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    """An erasure: the notes go, corrections and corrected alike (one statement, so the link
    between them is checked once both are gone)."""
    await session.execute(delete(Note).where(Note.beneficiary_id == beneficiary_id))
