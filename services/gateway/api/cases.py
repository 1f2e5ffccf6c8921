"""``GET /api/v1/cases/{beneficiary_id}``: a case screen in one call (``service/cases.py``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response

from services.gateway.api.deps import Settings, not_a_person
from services.gateway.schemas.cases import CaseView
from services.gateway.service.cases import FORWARDED_HEADERS, CaseReader
from shared.auth import CurrentPrincipal

router = APIRouter(tags=["cases"], dependencies=[Depends(not_a_person)])


@router.get(
    "/api/v1/cases/{beneficiary_id}",
    response_model=CaseView,
    summary="A person's case in one call: record, pathways and actions, referrals, consents",
    responses={404: {"description": "No such person, or not one the caller may see"}},
)
async def case_view(
    beneficiary_id: uuid.UUID,
    request: Request,
    response: Response,
    settings: Settings,
    _principal: CurrentPrincipal,
) -> CaseView:
    headers = {name: request.headers.get(name, "") for name in FORWARDED_HEADERS}
    headers["x-request-id"] = request.state.request_id
    reader = CaseReader(
        request.app.state.http,
        settings.upstreams(),
        headers,
        settings.upstream_timeout_seconds,
    )
    answer = await reader.case(beneficiary_id)
    response.headers["Cache-Control"] = "no-store"
    return answer
