"""``/beneficiaries/{id}/territorial-context``: what an assessment starts from, the person's
territory and the service points within reach that answer each of their needs, by tier, with the
needs nothing within reach answers. Case workers only; the person must be visible to the caller
and have consented to matching (the rules of ``/beneficiaries/{id}/matches``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.matching.schemas.territorial_context import NeedDomain, TerritorialContextRead
from services.matching.service import territorial_context
from shared.auth import CurrentPrincipal
from shared.db import ReadSession
from shared.openapi import problems

router = APIRouter(prefix="/api/v1", tags=["matching"])


@router.get(
    "/beneficiaries/{beneficiary_id}/territorial-context",
    response_model=TerritorialContextRead,
    responses=problems(403, 404, 409, 422),
    summary="The territorial context of a person: service points within reach for each need",
    description="Within reach: the active service points located in the NUTS 3 region that "
    "holds the person's territory (every municipality in it), published to the caller's "
    "organisation or its clusters. For each of the person's needs (and each asked for with "
    "`need`), at most 10 points, nearest first (the person's own municipality, then the fewest "
    "minutes from a public-transport hub), grouped by tier (low threshold, intermediate, "
    "structured); `gaps` lists the needs no point within reach answers. 409 "
    "`consent-required` when the person has not consented to matching.",
)
async def read_territorial_context(
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: ReadSession,
    need: Annotated[
        list[NeedDomain] | None,
        Query(max_length=10, description="other needs to look for, besides the person's"),
    ] = None,
) -> TerritorialContextRead:
    found = await territorial_context.context(session, principal, beneficiary_id, need or [])
    return TerritorialContextRead.model_validate(found)
