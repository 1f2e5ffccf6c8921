"""A person's history, access log, duplicates, merge and export."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from services.intake.db import repository
from services.intake.db.models import AccessLogEntry, Change, idempotency
from services.intake.domain import access
from services.intake.schemas.beneficiary import BeneficiaryRead
from services.intake.schemas.consent import AccessLogRead, ChangeRead
from services.intake.schemas.pages import DuplicateList, MergeRequest
from services.intake.service import beneficiaries as registry
from services.intake.service import gdpr as lifecycle
from services.intake.settings import IntakeSettings
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.errors import NotFound
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, keyset, page_of
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/beneficiaries/{beneficiary_id}",
    tags=["beneficiaries"],
    route_class=idempotent_routes(idempotency),
)


async def _owned(
    session: DbSession,
    principal: CurrentPrincipal,
    beneficiary_id: uuid.UUID,
    *,
    admin: bool = False,
) -> None:
    row, view = await registry.visible_row(session, principal, beneficiary_id)
    allowed = access.may_read_access_log(principal, row.organization_id) if admin else view.owner
    if not allowed:
        raise NotFound("No such person.")


@router.get(
    "/history",
    response_model=Page[ChangeRead],
    responses=problems(404),
    summary="Who changed which field when (the registering organisation)",
)
async def history(
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[ChangeRead]:
    await _owned(session, principal, beneficiary_id)
    statement = select(Change).where(Change.beneficiary_id == beneficiary_id)
    rows = (await session.scalars(keyset(statement, (Change.id,), cursor, limit))).all()
    return page_of(
        rows,
        limit,
        lambda row: (row.id,),
        lambda row: ChangeRead(
            id=row.id,
            action=row.action,
            fields=sorted(row.changes) if row.action == "updated" else [],
            changes=row.changes,
            actor=row.actor,
            actor_organization_id=row.actor_organization_id,
            changed_at=row.changed_at,
        ),
    )


@router.get(
    "/access-log",
    response_model=Page[AccessLogRead],
    responses=problems(404),
    summary="Who read the record, when and why (org admins of the registering organisation)",
)
async def access_log(
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[AccessLogRead]:
    await _owned(session, principal, beneficiary_id, admin=True)
    statement = select(AccessLogEntry).where(AccessLogEntry.beneficiary_id == beneficiary_id)
    rows = (await session.scalars(keyset(statement, (AccessLogEntry.id,), cursor, limit))).all()
    return page_of(rows, limit, lambda row: (row.id,), AccessLogRead.model_validate)


@router.get(
    "/duplicates",
    response_model=DuplicateList,
    responses=problems(404),
    summary="People you may see who look like this one, with a score and the reasons",
)
async def duplicates(
    beneficiary_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    row, _view = await registry.visible_row(session, principal, beneficiary_id)
    found = await registry.possible_duplicates(session, principal, row, threshold_only=False)
    return json_response({"items": found})


@router.post(
    "/merge",
    response_model=BeneficiaryRead,
    responses=problems(404, 409, 422),
    summary="Fold a duplicate into this record (both registered by your organisation)",
)
async def merge(
    beneficiary_id: uuid.UUID, body: MergeRequest, principal: CurrentPrincipal, session: DbSession
) -> Response:
    survivor = await lifecycle.merge(session, principal, beneficiary_id, body.merged_id)
    row, view = await registry.visible_row(session, principal, survivor.id)
    return json_response(registry.as_shown(row, view, registry.now().date()), version=row.version)


@router.get(
    "/export",
    responses=problems(403, 404),
    summary="Everything held about the person in every service, with a manifest (GDPR art. 15)",
    description="From intake, pathways, matching and the gateway (the person's app account and "
    "sign-ins, the webhook deliveries about them); with the records merged into the person "
    "(`data.intake.merged_records`). A merged record's id exports the person it was merged "
    "into. The manifest says what each service contributed and which were unavailable.",
)
async def export(
    beneficiary_id: uuid.UUID, request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    settings: IntakeSettings = request.app.state.settings
    document = await lifecycle.export(
        session,
        principal,
        beneficiary_id,
        request.app.state.http,
        settings.other_services(),
        settings.internal_token,
    )
    return json_response(
        document,
        headers={
            "Content-Disposition": f'attachment; filename="ponte-export-{beneficiary_id}.json"'
        },
    )


__all__ = ["BeneficiaryRead", "repository", "router"]
