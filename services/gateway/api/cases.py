"""``GET /api/v1/cases/{beneficiary_id}``: a case screen in one call (``service/cases.py``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response

from services.gateway.api.deps import not_a_person
from services.gateway.schemas.cases import CaseView
from services.gateway.service.cases import FORWARDED_HEADERS, CaseReader
from shared.auth import CurrentPrincipal
from shared.responses import json_response

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
    _principal: CurrentPrincipal,
) -> Response:
    headers = {name: request.headers.get(name, "") for name in FORWARDED_HEADERS}
    headers["x-request-id"] = request.state.request_id
    reader = CaseReader(request.app.state.upstreams, headers)
    case = await reader.case(beneficiary_id)
    return json_response(case, headers={"Cache-Control": "no-store"})
