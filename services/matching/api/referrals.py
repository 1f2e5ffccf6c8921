"""``/api/v1/referrals``: a person proposed for an offer, followed to its end. The referring
organisation sees its referrals while it may see the person; the provider sees the referrals to
its offers, with only the card the referral needs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from services.matching.api.deps import AcceptLanguage, MatchingIndexes, Settings, VisibleReferral
from services.matching.clients.intake import IntakeClient
from services.matching.clients.pathways import PathwaysClient
from services.matching.db.models import CandidateProfile, Offer, idempotency
from services.matching.domain.catalogue import Viewer
from services.matching.domain.referrals import ReferralStatus
from services.matching.schemas.referrals import (
    ReferralCreate,
    ReferralPage,
    ReferralRead,
    ReferralUpdate,
)
from services.matching.service import explanations, referrals, taxonomy
from services.matching.service.referral_sync import sync_referrals
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.etags import check_if_match
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import BatchIds, CursorParam, Limit
from shared.responses import json_response
from shared.sync import SinceParam, refuse_filters_in_sync

router = APIRouter(
    prefix="/api/v1/referrals",
    tags=["referrals"],
    route_class=idempotent_routes(idempotency),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralRead,
    responses=problems(403, 404, 409, 422, 503),
    summary="Propose a person for an offer or a service point (needs their consent to matching "
    "and, for an offer, eligibility)",
)
async def create_referral(
    body: ReferralCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    settings: Settings,
    engine: MatchingIndexes,
    accept_language: AcceptLanguage = None,
) -> Response:
    http = request.app.state.http
    language = await taxonomy.caller_language(session, accept_language)

    async def matched(
        seen_by: Viewer, profile: CandidateProfile, offer: Offer
    ) -> tuple[float, dict[str, Any]]:
        return await explanations.explain_pair(
            session, engine.indexes, engine.weights, seen_by, profile, offer, language
        )

    referral = await referrals.propose(
        session,
        principal,
        body,
        IntakeClient(http, settings.intake_url, settings.internal_token),
        PathwaysClient(http, settings.pathways_url, settings.internal_token),
        matched,
    )
    response = json_response(
        referrals.as_read(referral, principal), status.HTTP_201_CREATED, version=referral.version
    )
    taxonomy.labelled_in(response, language)  # the match's labels: the proposer's language
    return response


@router.get(
    "",
    response_model=ReferralPage,
    responses=problems(410, 422),
    summary="Referrals the caller may see, oldest first; a sync with since",
    description="With `since`, a sync in commit order instead (see the partner guide): every "
    "referral written since the watermark as you read it, and in `removed` the people "
    "(`beneficiary`) and the single referrals (`referral`) you may no longer see; 410 if the "
    "watermark is ahead of the database (restored from a backup): sync again from 0.",
)
async def list_referrals(
    principal: CurrentPrincipal,
    session: ReadSession,
    referral_status: Annotated[
        ReferralStatus | None, Query(alias="status", description="only this status")
    ] = None,
    offer_id: Annotated[uuid.UUID | None, Query(description="only to this offer")] = None,
    service_point_id: Annotated[
        uuid.UUID | None, Query(description="only to this service point")
    ] = None,
    beneficiary_id: Annotated[uuid.UUID | None, Query(description="only of this person")] = None,
    ids: BatchIds = None,
    since: SinceParam = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    if since is not None:
        refuse_filters_in_sync(
            status=referral_status,
            offer_id=offer_id,
            service_point_id=service_point_id,
            beneficiary_id=beneficiary_id,
            id=ids,
        )
        return json_response(await sync_referrals(session, principal, since, cursor, limit))
    shown, next_cursor = await referrals.page(
        session,
        principal,
        referral_status=referral_status.value if referral_status is not None else None,
        offer_id=offer_id,
        service_point_id=service_point_id,
        beneficiary_id=beneficiary_id,
        limit=limit,
        cursor=cursor,
        ids=tuple(ids) if ids else None,
    )
    return json_response(
        {
            "items": [referrals.as_read(row, principal) for row in shown],
            "next_cursor": next_cursor,
        }
    )


@router.get(
    "/{referral_id}", response_model=ReferralRead, responses=problems(404), summary="One referral"
)
async def read_referral(referral: VisibleReferral, principal: CurrentPrincipal) -> Response:
    return json_response(referrals.as_read(referral, principal), version=referral.version)


@router.patch(
    "/{referral_id}",
    response_model=ReferralRead,
    responses=problems(403, 404, 409, 412, 422),
    summary="Move a referral on: accept, reject, enrol (takes a seat), complete or drop",
    # A service point's referral has no seat: accepted -> completed (enrolled: 409).
    description="The provider accepts, rejects (with a reason), enrols and completes; the "
    "referrer or the provider drops (with a reason). `If-Match` is optional here: moves are "
    "checked against the current status, and a seat is never oversold.",
)
async def update_referral(
    referral_id: uuid.UUID,
    body: ReferralUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    referral = await referrals.get_movable(session, principal, referral_id)
    if "if-match" in request.headers:
        check_if_match(request, referral.version)
    await referrals.move(session, principal, referral, body)
    return json_response(referrals.as_read(referral, principal), version=referral.version)
