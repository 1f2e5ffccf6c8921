"""``/api/v1/beneficiaries``: register, list and search, read, change, erase."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.intake.api.deps import DocumentStore, Matching
from services.intake.db.models import idempotency
from services.intake.schemas.beneficiary import (
    BeneficiaryCreate,
    BeneficiaryRead,
    BeneficiaryUpdate,
    ExternalId,
    MergedPointer,
    Registered,
)
from services.intake.schemas.codes import Country, NeedDomain
from services.intake.schemas.pages import BeneficiaryPage
from services.intake.service import beneficiaries as service
from services.intake.service import gdpr, search
from services.intake.service.people_sync import sync_people
from shared.auth import CurrentPrincipal
from shared.dates import IsoDateTime
from shared.db import DbSession
from shared.etags import if_match_checker
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import BatchIds, CursorParam, Limit
from shared.responses import json_response
from shared.sync import SinceParam, refuse_filters_in_sync

router = APIRouter(
    prefix="/api/v1/beneficiaries",
    tags=["beneficiaries"],
    route_class=idempotent_routes(idempotency),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Registered,
    responses=problems(403, 409, 422, 503),
    summary="Register a person (answers possible duplicates)",
    description="A `territory_code` is checked against the territories (`GET "
    "/api/v1/territories`): unknown, 422; while they cannot be read, 503 and nothing stored. "
    "An `external_id` your organisation already registered: 409 naming that person "
    "(`existing_id` in the problem, and `Location`), so that a retry finds its record.",
)
async def register(
    body: BeneficiaryCreate, principal: CurrentPrincipal, session: DbSession, matching: Matching
) -> Response:
    row, duplicates = await service.register(session, principal, body, matching)
    document = {
        **service.as_shown(row, service.OWNER_VIEW),
        "possible_duplicates": duplicates,
    }
    location = f"/api/v1/beneficiaries/{row.id}"
    return json_response(document, 201, version=row.version, headers={"Location": location})


@router.get(
    "",
    response_model=BeneficiaryPage,
    summary="List, search and sync the people you may see",
    description="`q` matches the start of any word of the name, ignoring case and accents "
    '("jose garc" finds "José García"). With `updated_since`, erased, merged and no longer '
    "shared records come back as tombstones (`status` erased, merged or withdrawn): drop them. "
    "A record no longer shared with you comes back once, with `updated_at` the moment your "
    "access ended; nothing about it after that. `id` (repeated, at most 200) reads a caseload "
    "screen's people in one call: those the caller may not see are simply absent. "
    "`external_id` finds the person your organisation registered under your own system's id "
    "(at most one; other organisations' ids are never matched).",
)
async def list_beneficiaries(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=200)] = None,
    nationality: Annotated[Country | None, Query()] = None,
    municipality: Annotated[str | None, Query(max_length=120)] = None,
    need: Annotated[NeedDomain | None, Query()] = None,
    recent_arrival: bool | None = None,
    age_min: Annotated[int | None, Query(ge=0, le=120)] = None,
    age_max: Annotated[int | None, Query(ge=0, le=120)] = None,
    permit_expiring_within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    organization_id: uuid.UUID | None = None,
    updated_since: Annotated[
        IsoDateTime | None,
        Query(
            description="Superseded by `since` (commit-ordered, never misses a late commit); "
            "kept: what changed after this time, with tombstones"
        ),
    ] = None,
    ids: BatchIds = None,
    external_id: Annotated[
        ExternalId | None,
        Query(
            description="your system's id for the person: the one your organisation registered "
            "under it (at most one), whoever else it is shared with"
        ),
    ] = None,
    since: SinceParam = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    if since is not None:
        refuse_filters_in_sync(
            q=q,
            nationality=nationality,
            municipality=municipality,
            need=need,
            recent_arrival=recent_arrival,
            age_min=age_min,
            age_max=age_max,
            permit_expiring_within_days=permit_expiring_within_days,
            organization_id=organization_id,
            updated_since=updated_since,
            id=ids,
            external_id=external_id,
        )
        return json_response(await sync_people(session, principal, since, cursor, limit))
    filters = search.Filters(
        q=q,
        nationality=nationality,
        municipality=municipality,
        need=need,
        recent_arrival=recent_arrival,
        age_min=age_min,
        age_max=age_max,
        permit_expiring_within_days=permit_expiring_within_days,
        organization_id=organization_id,
        updated_since=updated_since,
        ids=tuple(ids) if ids else None,
        external_id=external_id,
        external_owner=principal.organization_id,
    )
    items, next_cursor = await search.page(session, principal, filters, limit=limit, cursor=cursor)
    return json_response({"items": items, "next_cursor": next_cursor})


@router.get(
    "/{beneficiary_id}",
    response_model=BeneficiaryRead,
    responses={
        **problems(404),
        301: {"model": MergedPointer, "description": "Merged: see Location"},
    },
    summary="Read a person (the sections you may see)",
)
async def read_beneficiary(
    beneficiary_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    found = await service.read(session, principal, beneficiary_id)
    if isinstance(found, service.MergedInto):
        pointer = {
            "id": str(found.merged_id),
            "status": "merged",
            "merged_into": str(found.survivor_id),
        }
        location = f"/api/v1/beneficiaries/{found.survivor_id}"
        return json_response(pointer, 301, headers={"Location": location})
    row, view = found
    return json_response(service.as_shown(row, view), version=row.version)


@router.patch(
    "/{beneficiary_id}",
    response_model=BeneficiaryRead,
    responses=problems(403, 404, 409, 412, 428, 503),
    summary="Change a person's record (If-Match with the ETag of your last read)",
)
async def update_beneficiary(
    beneficiary_id: uuid.UUID,
    body: BeneficiaryUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    matching: Matching,
) -> Response:
    row = await service.update(
        session, principal, beneficiary_id, body, if_match_checker(request), matching
    )
    return json_response(service.as_shown(row, service.OWNER_VIEW), version=row.version)


@router.delete(
    "/{beneficiary_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404),
    summary="Erase a person everywhere (GDPR art. 17); idempotent",
    description="Personal data is removed here at once and in the other services through an "
    "event; sex, nationality, birth and arrival years and municipality stay for statistics. "
    "Afterwards the record answers 404. The person is the record and every record merged into "
    "it: the id of either erases them all.",
)
async def erase_beneficiary(
    beneficiary_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, store: DocumentStore
) -> Response:
    await gdpr.erase(session, principal, beneficiary_id, store)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
