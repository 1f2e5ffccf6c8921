"""Transfers of a person's case to another organisation (``/transfers``): asked by the
registering organisation, accepted or rejected by the receiving one, cancelled by the sender."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.intake.api.deps import Gateway
from services.intake.db.models import idempotency
from services.intake.domain.transfers import Direction, TransferStatus
from services.intake.schemas.transfer import TransferCreate, TransferDecision, TransferRead
from services.intake.service import transfers as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.etags import etag, if_match_checker
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of

router = APIRouter(
    prefix="/api/v1/transfers", tags=["transfers"], route_class=idempotent_routes(idempotency)
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TransferRead,
    responses=problems(403, 404, 409, 422, 503),
    summary="Ask another organisation to take over a person's case (the registering "
    "organisation's org admins and operators)",
    description="The person must have consented: a standing consent of purpose `transfer` to "
    "the receiving organisation (422 without it). The receiving organisation must exist and be "
    "another one. One pending transfer per person (409). Until it is accepted the receiving "
    "organisation sees the request and the person's name, not the record.",
)
async def request_transfer(
    body: TransferCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
    gateway: Gateway,
) -> TransferRead:
    transfer, person = await service.request(session, principal, body, gateway.organization_exists)
    response.headers["Location"] = f"/api/v1/transfers/{transfer.id}"
    response.headers["ETag"] = etag(transfer.version)
    return service.as_read(transfer, person)


@router.get(
    "",
    response_model=Page[TransferRead],
    responses=problems(403),
    summary="The transfers your organisation sent or received, newest first",
)
async def list_transfers(
    principal: CurrentPrincipal,
    session: DbSession,
    direction: Annotated[
        Direction | None, Query(description="sent: asked by you; received: asked of you")
    ] = None,
    status: Annotated[TransferStatus | None, Query(description="only in this status")] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[TransferRead]:
    found = await service.listed(session, principal, direction, status, cursor, limit)
    return page_of(
        found,
        limit,
        lambda pair: (pair[0].requested_at, pair[0].id),
        lambda pair: service.as_read(*pair),
    )


@router.get(
    "/{transfer_id}",
    response_model=TransferRead,
    responses=problems(404),
    summary="A transfer your organisation sent or received (the ETag to decide it)",
)
async def get_transfer(
    transfer_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, response: Response
) -> TransferRead:
    transfer, person = await service.one(session, principal, transfer_id)
    response.headers["ETag"] = etag(transfer.version)
    return service.as_read(transfer, person)


@router.patch(
    "/{transfer_id}",
    response_model=TransferRead,
    responses=problems(403, 404, 409, 412, 422, 428),
    summary="Accept or reject a transfer (the receiving organisation), or cancel it (the "
    "sender); If-Match",
    description="Accepting moves the record to your organisation at once: you become its "
    "owner, the person's history records the move, and the other services follow. The sending "
    "organisation then sees the person only if the person shares with it (a sharing consent, "
    "which you record); its pathways stay its own, as history. A rejection says why "
    "(`reason`). Only a pending transfer changes (409).",
)
async def decide_transfer(
    transfer_id: uuid.UUID,
    body: TransferDecision,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> TransferRead:
    transfer, person = await service.decide(
        session, principal, transfer_id, body, if_match_checker(request)
    )
    response.headers["ETag"] = etag(transfer.version)
    return service.as_read(transfer, person)
