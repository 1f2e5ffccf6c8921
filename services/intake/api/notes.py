"""Case notes of a person (``/notes``): written once, never changed or deleted (no PATCH, no
DELETE: the framework answers 405); a correction is a new note."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.intake.db.models import idempotency
from services.intake.schemas.note import NoteCreate, NoteRead, NoteSyncPage
from services.intake.service import notes as service
from services.intake.service.notes_sync import sync_notes
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of
from shared.responses import json_response
from shared.sync import refuse_filters_in_sync

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}",
    tags=["notes"],
    route_class=idempotent_routes(idempotency),
)
# Every note the caller may read, across people: a feed of its own, not inside each person's sync
# item (a person may have hundreds of immutable notes; resent at every change of the person).
feed = APIRouter(prefix="/api/v1/notes", tags=["notes"])
SYNC_PARAMETERS = frozenset({"since", "cursor", "limit"})


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


@feed.get(
    "",
    response_model=NoteSyncPage,
    responses=problems(410, 422),
    summary="Sync the case notes you may read, in commit order (since)",
    description="A sync under the convention of every mirrored list (see the partner guide): "
    "`since=0` the first time, then the `watermark` your previous sync ended with. `items`: "
    "every note written since that you may read now, as `GET /api/v1/beneficiaries/{id}/notes` "
    "shows it, and the notes of a person you were just given access to (a consent, an emergency "
    "access, a transfer received) that no sync brought you. A correction comes as a note of its "
    "own with `corrects`: add it to the corrected note's `corrected_by`. `removed`: "
    "`{type: beneficiary}`, a person some of whose notes you may no longer read (a consent "
    "withdrawn or narrowed, a grant expired, the case transferred away, `erased`, `merged`): "
    "drop every note of that person you hold, apply `removed` before the page's `items`, and "
    "those of their notes you may still read come again after it. `since` is required (422 "
    "without it: each person's notes are listed under the person); no other filter combines "
    "with it (422). 410 if the watermark is ahead of the database: sync again from 0.",
)
async def sync_case_notes(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    since: Annotated[
        str,
        Query(
            max_length=128,
            description="the `watermark` your previous sync ended with, or `0` for a first load",
            examples=["0"],
        ),
    ],
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    refuse_filters_in_sync(
        **{
            name: value
            for name, value in request.query_params.items()
            if name not in SYNC_PARAMETERS
        }
    )
    return json_response(await sync_notes(session, principal, since, cursor, limit))
