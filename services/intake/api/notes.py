"""Case notes of a person (``/notes``): written once, never changed or deleted (no PATCH, no
DELETE: the framework answers 405); a correction is a new note."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.intake.db.models import idempotency
from services.intake.schemas.note import NoteCreate, NoteRead
from services.intake.service import notes as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}",
    tags=["notes"],
    route_class=idempotent_routes(idempotency),
)


@router.post(
    "/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=NoteRead,
    responses=problems(403, 404, 422),
    summary="Write a case note (the registering organisation); a correction names the note it "
    "corrects",
    description="Immutable: there is no way to change or delete a note. To correct one, write a "
    "new note with `corrects` (it stays in the corrected note's section); both stay, and the "
    "corrected note lists its corrections in `corrected_by`. `section` decides who else reads "
    "it: the organisations the person shared that section with. `pathway_id`, `action_id` and "
    "`referral_id` are kept as given; they are not checked against the pathways and matching "
    "services. Organisations the person shared with read notes but do not write them (403).",
)
async def write_note(
    beneficiary_id: uuid.UUID,
    body: NoteCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> NoteRead:
    note = await service.write(session, principal, beneficiary_id, body)
    response.headers["Location"] = f"/api/v1/beneficiaries/{beneficiary_id}/notes/{note.id}"
    return service.as_read(note, [])


@router.get(
    "/notes",
    response_model=Page[NoteRead],
    responses=problems(404),
    summary="The person's case notes the caller may read, newest first",
    description="The registering organisation reads every note; an organisation the person "
    "shared with, those of the sections it was granted. Each read is in the access log.",
)
async def list_notes(
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    pathway_id: Annotated[
        uuid.UUID | None, Query(description="only the notes about this pathway")
    ] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[NoteRead]:
    found, corrections = await service.listed(
        session, principal, beneficiary_id, pathway_id, cursor, limit
    )
    return page_of(
        found,
        limit,
        lambda note: (note.created_at, note.id),
        lambda note: service.as_read(note, corrections.get(note.id, [])),
    )
