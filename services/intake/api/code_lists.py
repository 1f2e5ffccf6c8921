"""``/api/v1/code-lists``: the reference lists (countries, permit types, CEFR levels, ...) that
every client needs to fill in and display an intake, labelled in the operator's language.

The bodies are pre-serialised (``service/code_lists.py``), so a request costs the
token check and a cache lookup; ``response_model`` only documents them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from starlette.responses import Response

from services.intake.code_lists import Language
from services.intake.code_lists.schemas import CodeListIndex, CodeListRead
from services.intake.service import code_lists as service
from shared.auth import CurrentPrincipal
from shared.openapi import problems

router = APIRouter(prefix="/api/v1/code-lists", tags=["code lists"])

# The lists change only with a release; "private" because the routes sit behind a token.
_CACHE_CONTROL = "private, max-age=3600"


@router.get(
    "",
    response_model=CodeListIndex,
    summary="List the code lists",
    description="Every code list with its source and number of entries.",
)
async def list_code_lists(_principal: CurrentPrincipal) -> Response:
    return _json(service.index_json(), {"Cache-Control": _CACHE_CONTROL})


@router.get(
    "/{name}",
    response_model=CodeListRead,
    responses=problems(404),
    summary="Read a code list",
    description="The entries of one list, labelled in `lang`, else in the first supported "
    "language of `Accept-Language`, else in English. Store `code`, display `label`.",
)
async def read_code_list(
    _principal: CurrentPrincipal,
    name: Annotated[str, Path(description="the list, as named by the index")],
    lang: Annotated[
        Language | None, Query(description="label language; wins over Accept-Language")
    ] = None,
    all_labels: Annotated[
        bool, Query(description="return `labels` in all five languages instead of `label`")
    ] = False,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    found = service.rendered(name, lang, accept_language, all_labels)
    headers = {"Cache-Control": _CACHE_CONTROL, "ETag": found.etag}
    if not all_labels:
        headers["Content-Language"] = found.language
    if lang is None:  # the body then depends on the header, and shared caches must know it
        headers["Vary"] = "Accept-Language"
    return _json(found.payload, headers)


def _json(payload: bytes, headers: dict[str, str]) -> Response:
    return Response(content=payload, media_type="application/json", headers=headers)
