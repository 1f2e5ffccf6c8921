"""Ranking and allocation: ``/beneficiaries/{id}/matches``, ``/offers/{id}/candidates`` and
``/allocations``. Case workers only; people appear only if the caller may see them and they
consented to matching."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.matching.api.deps import (
    AcceptLanguage,
    AllocationLimiter,
    MatchingIndexes,
    Settings,
)
from services.matching.db.models import idempotency
from services.matching.domain.offers import OfferType
from services.matching.schemas.referrals import (
    AllocationRequest,
    AllocationResult,
    CandidateList,
    MatchList,
)
from services.matching.service import allocations, matching, taxonomy
from services.matching.settings import (
    ALLOCATION_MAX_OFFERS,
    ALLOCATION_MAX_PAIRS,
    ALLOCATION_MAX_PEOPLE,
    ALLOCATION_TIME_LIMIT_SECONDS,
)
from shared.auth import CurrentPrincipal
from shared.db import ReadSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.responses import json_response

router = APIRouter(prefix="/api/v1", tags=["matching"], route_class=idempotent_routes(idempotency))

MatchLimit = Annotated[int, Query(ge=1, le=100, description="how many results (max 100)")]
IncludeIneligible = Annotated[
    bool,
    Query(description="also list what the hard rules exclude, with the rule that excludes it"),
]


@router.get(
    "/beneficiaries/{beneficiary_id}/matches",
    response_model=MatchList,
    responses=problems(403, 404, 409),
    summary="The offers that fit a person, best first, each criterion explained",
    description="Hard eligibility first (status, seats left, dates, permit, language level, "
    "education, age), then a score in [0, 1] from the cluster's weighted criteria. 409 "
    "`consent-required` when the person has not consented to matching.",
)
async def beneficiary_matches(
    beneficiary_id: uuid.UUID,
    engine: MatchingIndexes,
    principal: CurrentPrincipal,
    session: ReadSession,
    offer_type: Annotated[
        list[OfferType] | None, Query(alias="type", description="only these offer types")
    ] = None,
    limit: MatchLimit = 20,
    include_ineligible: IncludeIneligible = False,
    include_services: Annotated[
        bool,
        Query(
            description="also rank the service points within the person's reach that answer "
            "their priority need or another assessed need (`services`)"
        ),
    ] = False,
    accept_language: AcceptLanguage = None,
) -> Response:
    language = await taxonomy.caller_language(session, accept_language)
    found = await matching.matches(
        session,
        engine.indexes,
        principal,
        beneficiary_id,
        weights=engine.weights,
        limit=limit,
        include_ineligible=include_ineligible,
        types=[t.value for t in offer_type] if offer_type else None,
        language=language,
        include_services=include_services,
    )
    # Built from the engine's own results, already in MatchList's shape: validating the page
    # through the model (twice, with FastAPI's response check) cost 7% of the route's CPU.
    answer = json_response(found)
    taxonomy.labelled_in(answer, language)
    return answer


@router.get(
    "/offers/{offer_id}/candidates",
    response_model=CandidateList,
    responses=problems(403, 404),
    summary="The people who fit an offer, among those the caller may see who consented",
)
async def offer_candidates(
    offer_id: uuid.UUID,
    response: Response,
    engine: MatchingIndexes,
    principal: CurrentPrincipal,
    session: ReadSession,
    limit: MatchLimit = 20,
    include_ineligible: IncludeIneligible = False,
    accept_language: AcceptLanguage = None,
) -> CandidateList:
    language = await taxonomy.caller_language(session, accept_language)
    items = await matching.candidates(
        session,
        engine.indexes,
        principal,
        offer_id,
        weights=engine.weights,
        limit=limit,
        include_ineligible=include_ineligible,
        language=language,
    )
    taxonomy.labelled_in(response, language)
    return CandidateList.model_validate({"items": items})


@router.post(
    "/allocations",
    response_model=AllocationResult,
    responses=problems(403, 422, 503),
    summary="Assign scarce seats to a cohort: the exact optimum, never an ineligible pair",
    description="Maximises the total match score subject to seats left, eligibility and at most "
    "one offer per person (an assignment solver, not greedy; the greedy total is returned for "
    "comparison). `favour_vulnerable` weighs each score by 1 + favour x the person's "
    "vulnerability (intake's level: medium 0.5, high 0.8, critical 1); `maximin` first "
    "places as many people as possible, then maximises the lowest score among them, then "
    "the total. Nothing is booked: propose referrals for the assignment you keep.\n\n"
    f"**Limits** (the service's defaults; its operator may set others): at most "
    f"{ALLOCATION_MAX_PEOPLE:,} people, {ALLOCATION_MAX_OFFERS:,} offers and "
    f"{ALLOCATION_MAX_PAIRS:,} eligible (person, offer) pairs per request, else 422 "
    "`allocation-too-large` (field errors say which); the number of seats does not count. "
    f"A solve still running after {ALLOCATION_TIME_LIMIT_SECONDS:g} s stops with 503 "
    "`allocation-timed-out`, and a solve whose client disconnects stops too; neither keeps "
    "anything (an `Idempotency-Key` is free for a retry). Split a larger cohort.",
)
async def allocate(
    body: AllocationRequest,
    request: Request,
    principal: CurrentPrincipal,
    session: ReadSession,
    engine: MatchingIndexes,
    settings: Settings,
    limiter: AllocationLimiter,
) -> AllocationResult:
    result = await allocations.allocation(
        session,
        engine.indexes,
        principal,
        request,
        body.beneficiary_ids,
        body.offer_ids,
        settings=settings,
        limiter=limiter,
        weights=engine.weights,
        favour_vulnerable=body.favour_vulnerable,
        maximin=body.maximin,
    )
    return AllocationResult.model_validate(result)
