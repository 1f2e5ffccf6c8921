"""Case notes on a person: written by the registering organisation, read by it and by the
organisations the person shared the note's section with (``domain/notes.py``). Never changed:
a correction is a new note that names the one it corrects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import notes, records
from services.intake.db.models import Note
from services.intake.domain import access
from services.intake.domain.enums import Section
from services.intake.domain.notes import (
    SectionDiffers,
    SectionMissing,
    readable_sections,
    section_of,
)
from services.intake.errors import FieldRefused, NoteWriteForbidden
from services.intake.schemas.note import NoteCreate, NoteRead
from services.intake.service import beneficiaries as beneficiaries_service
from shared import clock
from shared.auth import Principal

LIST_PURPOSE = "GET /api/v1/beneficiaries/{beneficiary_id}/notes"


async def write(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, body: NoteCreate
) -> Note:
    row, view = await beneficiaries_service.seen(session, principal, beneficiary_id, lock=True)
    if not access.may_change(principal, row.organization_id):
        raise NoteWriteForbidden
    corrected: Section | None = None
    if body.corrects is not None:
        earlier = await notes.one(session, row.id, readable_sections(view), body.corrects)
        if earlier is None:
            raise FieldRefused(
                "The note to correct is not one of this person's notes.",
                "corrects",
                "no such note of this person",
                "unknown",
            )
        corrected = Section(earlier.section)
    try:
        section = section_of(body.section, corrected)
    except SectionMissing:  # the body's validation refuses it first; kept for other callers
        raise FieldRefused(
            "A note names its section.", "section", "is required", "missing"
        ) from None
    except SectionDiffers:
        raise FieldRefused(
            "A correction stays in the section of the note it corrects.",
            "section",
            f"differs from the corrected note's section ({corrected})",
            "differs",
        ) from None
    note = Note(
        id=uuid.uuid4(),
        beneficiary_id=row.id,
        section=section.value,
        text=body.text,
        pathway_id=body.pathway_id,
        action_id=body.action_id,
        referral_id=body.referral_id,
        corrects=body.corrects,
        author_id=principal.subject,
        author_organization_id=principal.organization_id,
        created_at=clock.now(),
    )
    await notes.add(session, note)
    return note


async def listed(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    pathway_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Note], dict[uuid.UUID, list[uuid.UUID]]]:
    """A page of the notes the caller may read, newest first, and who corrected each; the read
    is logged (once per page, as a record's read is)."""
    row, view = await beneficiaries_service.seen(session, principal, beneficiary_id)
    found = await notes.page(session, row.id, readable_sections(view), pathway_id, cursor, limit)
    corrections = await notes.corrections_of(session, [note.id for note in found[:limit]])
    await records.log_access(
        session, principal, [row.id], action="read", purpose=LIST_PURPOSE, emergency=view.emergency
    )
    return found, corrections


def as_read(note: Note, corrected_by: list[uuid.UUID]) -> NoteRead:
    return NoteRead(
        id=note.id,
        beneficiary_id=note.beneficiary_id,
        section=Section(note.section),
        text=note.text,
        pathway_id=note.pathway_id,
        action_id=note.action_id,
        referral_id=note.referral_id,
        corrects=note.corrects,
        corrected_by=corrected_by,
        author_id=note.author_id,
        author_organization_id=note.author_organization_id,
        created_at=note.created_at,
    )
