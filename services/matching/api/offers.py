"""``/api/v1/offers``: the catalogue. Providers publish and manage their own organisation's
offers; everyone working on cases reads the open and closed ones."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.api.deps import AcceptLanguage, ManagedOffer, VisibleOffer
from services.matching.db.models import Offer, idempotency
from services.matching.domain.offers import OfferStatus, OfferType
from services.matching.schemas.offers import OfferCreate, OfferPage, OfferRead, OfferUpdate
from services.matching.service import offers, taxonomy
from services.matching.service.catalogue_sync import sync_offers
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.etags import check_if_match
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit
from shared.responses import json_response
from shared.sync import SinceParam, refuse_filters_in_sync

router = APIRouter(
    prefix="/api/v1/offers",
    tags=["offers"],
    route_class=idempotent_routes(idempotency),
)


async def _read(
    session: AsyncSession, offer: Offer, accept_language: str | None, status_code: int = 200
) -> Response:
    language = await taxonomy.caller_language(session, accept_language)
    labels = await offers.labels(session, [offer], language)
    response = json_response(
        offers.as_read(offer, labels), status_code=status_code, version=offer.version
    )
    taxonomy.labelled_in(response, language)
    return response


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferRead,
    responses=problems(403, 422),
    summary="Publish an offer (providers and their org admins, for their own organisation)",
)
async def create_offer(
    body: OfferCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    accept_language: AcceptLanguage = None,
) -> Response:
    offer = await offers.create(session, principal, body)
    return await _read(session, offer, accept_language, status.HTTP_201_CREATED)


@router.get(
    "",
    response_model=OfferPage,
    responses=problems(410, 422),
    summary="The catalogue: open and closed offers, and the caller's own drafts; a sync with since",
    description="With `since`, a sync in commit order instead (see the partner guide): every "
    "offer written since the watermark, and in `removed` those deleted; 410 if the watermark is "
    "ahead of the database or older than the 90 days deletions are kept: sync again from 0.",
)
async def list_offers(
    principal: CurrentPrincipal,
    session: ReadSession,
    offer_type: Annotated[
        OfferType | None, Query(alias="type", description="only this type")
    ] = None,
    offer_status: Annotated[
        OfferStatus | None, Query(alias="status", description="only this status")
    ] = None,
    organization_id: Annotated[uuid.UUID | None, Query(description="only this provider")] = None,
    since: SinceParam = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    language = await taxonomy.caller_language(session, accept_language)
    if since is not None:
        refuse_filters_in_sync(
            type=offer_type, status=offer_status, organization_id=organization_id
        )
        synced = await sync_offers(session, principal, since, cursor, limit, language)
        response = json_response(synced)
        taxonomy.labelled_in(response, language)
        return response
    shown, next_cursor = await offers.page(
        session,
        principal,
        offer_type=offer_type.value if offer_type is not None else None,
        offer_status=offer_status.value if offer_status is not None else None,
        organization_id=organization_id,
        limit=limit,
        cursor=cursor,
    )
    labels = await offers.labels(session, shown, language)
    response = json_response(
        {
            "items": [offers.as_read(offer, labels) for offer in shown],
            "next_cursor": next_cursor,
        }
    )
    taxonomy.labelled_in(response, language)
    return response


@router.get("/{offer_id}", response_model=OfferRead, responses=problems(404), summary="One offer")
async def read_offer(
    offer: VisibleOffer, session: ReadSession, accept_language: AcceptLanguage = None
) -> Response:
    return await _read(session, offer, accept_language)


@router.patch(
    "/{offer_id}",
    response_model=OfferRead,
    responses=problems(403, 404, 409, 412, 422, 428),
    summary="Change an offer (If-Match); fields present replace the stored ones",
)
async def update_offer(
    offer_id: uuid.UUID,
    body: OfferUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    accept_language: AcceptLanguage = None,
) -> Response:
    offer = await offers.get_managed(session, principal, offer_id)
    check_if_match(request, offer.version)
    await offers.update(session, offer, body)
    return await _read(session, offer, accept_language)


@router.delete(
    "/{offer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404, 409),
    summary="Delete an offer nobody was referred to (otherwise close it)",
)
async def delete_offer(offer: ManagedOffer, session: DbSession) -> Response:
    await offers.delete(session, offer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
