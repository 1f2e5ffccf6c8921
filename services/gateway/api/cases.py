"""``GET /api/v1/cases/{beneficiary_id}``: a case screen in one call (``service/cases.py``);
``GET /api/v1/cases``: a caseload screen in one call (``service/caseload.py``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.gateway.api.deps import not_a_person
from services.gateway.schemas.cases import CaseloadPage, CaseView
from services.gateway.service.caseload import CaseloadReader
from services.gateway.service.cases import FORWARDED_HEADERS, CaseReader
from shared.auth import CurrentPrincipal
from shared.pagination import CursorParam, Limit
from shared.responses import json_response

router = APIRouter(tags=["cases"], dependencies=[Depends(not_a_person)])


def _forwarded(request: Request) -> dict[str, str]:
    headers = {name: request.headers.get(name, "") for name in FORWARDED_HEADERS}
    headers["x-request-id"] = request.state.request_id
    return headers


@router.get(
    "/api/v1/cases",
    response_model=CaseloadPage,
    summary="A caseload page in one call: pathways with the people's names",
    description="The page `GET /api/v1/pathways` answers for the same query (the same filters, "
    "order and cursor), each row with the person's name as `GET /api/v1/beneficiaries?id=` shows "
    "it to you: null where you may not see it. A query pathways refuses is its 422.",
    responses={422: {"description": "A filter pathways does not accept"}},
)
async def caseload(
    request: Request,
    _principal: CurrentPrincipal,
    assigned_to: Annotated[
        str | None, Query(max_length=100, description="a user id, or me")
    ] = None,
    overdue: bool | None = None,
    stage: Annotated[
        str | None, Query(max_length=32, description="a stage (code list pathway-stages)")
    ] = None,
    status: Annotated[str | None, Query(max_length=16, description="open or closed")] = None,
    beneficiary_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    filters = {
        "assigned_to": assigned_to,
        "overdue": None if overdue is None else str(overdue).lower(),
        "stage": stage,
        "status": status,
        "beneficiary_id": None if beneficiary_id is None else str(beneficiary_id),
        "limit": str(limit),
        "cursor": cursor,
    }
    query = {name: value for name, value in filters.items() if value is not None}
    reader = CaseloadReader(request.app.state.upstreams, _forwarded(request))
    status_code, body = await reader.caseload(query)
    response = json_response(body, status_code, headers={"Cache-Control": "no-store"})
    if status_code != 200:
        response.headers["content-type"] = "application/problem+json"
    return response


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
    reader = CaseReader(request.app.state.upstreams, _forwarded(request))
    case = await reader.case(beneficiary_id)
    return json_response(case, headers={"Cache-Control": "no-store"})
