"""The routes every service serves for its own code lists, built from its :class:`Catalogue`.

``GET /api/v1/code-lists/{name}`` is the same operation in every service (same path, parameters
and schemas), so the merged OpenAPI document shows it once; the gateway sends each name to the
service that owns it (``services/gateway/edge/routing.py``). ``GET /internal/code-lists`` is the
service's part of the public index, which the gateway composes (``GET /api/v1/code-lists``).

The bodies are pre-serialised (:mod:`.render`), so a request costs the token check and a cache
lookup; ``response_model`` only documents them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query
from starlette.responses import Response

from shared.auth import CurrentPrincipal
from shared.code_lists.i18n import Language, negotiate
from shared.code_lists.model import UnknownCodeList
from shared.code_lists.render import Catalogue
from shared.code_lists.schemas import CodeListIndex, CodeListRead
from shared.errors import NotFound
from shared.events import internal_auth
from shared.openapi import problems

# The lists change only with a release; "private" because the routes sit behind a token.
CACHE_CONTROL = "private, max-age=3600"


class CodeListNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no code list with this name; GET /api/v1/code-lists lists them.")


def public_router(catalogue: Catalogue) -> APIRouter:
    router = APIRouter(prefix="/api/v1/code-lists", tags=["code lists"])

    @router.get(
        "/{name}",
        response_model=CodeListRead,
        responses=problems(404),
        summary="Read a code list",
        description="The entries of one list, labelled in `lang`, else in the first supported "
        "language of `Accept-Language`, else in English. Store `code`, display `label`. "
        "The index (`GET /api/v1/code-lists`) names every list.",
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
        language = lang or negotiate(accept_language)
        try:
            payload = catalogue.code_list_json(name, language, all_labels)
        except UnknownCodeList:
            raise CodeListNotFound() from None
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "ETag": catalogue.code_list_etag(name, language, all_labels),
        }
        if not all_labels:
            headers["Content-Language"] = language
        if lang is None:  # the body then depends on the header, and shared caches must know it
            headers["Vary"] = "Accept-Language"
        return Response(content=payload, media_type="application/json", headers=headers)

    return router


def internal_router(catalogue: Catalogue) -> APIRouter:
    router = APIRouter(
        prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
    )

    @router.get("/code-lists", response_model=CodeListIndex)
    async def code_list_index() -> Response:
        return Response(content=catalogue.index_json(), media_type="application/json")

    return router
