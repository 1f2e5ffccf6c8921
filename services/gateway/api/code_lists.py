"""``GET /api/v1/code-lists``: the index of every code list, whichever service serves it; each
list is then read at ``/api/v1/code-lists/{name}``, which the gateway forwards to the list's
owner (``edge/routing.py``). Any signed-in caller reads it, as they read the lists."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.gateway.service.code_lists import CodeListIndex
from shared.auth import CurrentPrincipal
from shared.code_lists.api import CACHE_CONTROL
from shared.code_lists.schemas import CodeListIndex as CodeListIndexBody
from shared.etags import content_etag
from shared.openapi import problems

router = APIRouter(prefix="/api/v1/code-lists", tags=["code lists"])


@router.get(
    "",
    response_model=CodeListIndexBody,
    responses=problems(503),
    summary="List the code lists",
    description="Every code list with its source, number of entries and the service that owns "
    "it: intake's reference data (countries, permit types, CEFR levels, ...) and the labels of "
    "the codes of pathways (stages, action types, outcomes, the rights checklist, ...) and of "
    "matching (offer types, referral statuses, cluster roles, service-point kinds, ...).",
)
async def list_code_lists(_principal: CurrentPrincipal, request: Request) -> Response:
    index: CodeListIndex = request.app.state.code_list_index
    settings = request.app.state.settings
    payload = await index.payload(
        request.app.state.http, settings.upstreams(), settings.internal_token
    )
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": content_etag(payload)}
    return Response(content=payload, media_type="application/json", headers=headers)
