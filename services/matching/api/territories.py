"""``/api/v1/territories``: the NUTS 2024 regions (levels 0-3) and LAU municipalities (level 4),
the codes that residence, offers and service points will refer to. Reference data: any
authenticated caller reads it (a person's app too, through the gateway's allowlist).

Answers carry a content ETag (``If-None-Match`` answers 304) and may be cached privately for an
hour: territories change only when an operator imports a new edition.
Territorial units: NUTS 2024 and LAU 2024 © European Union, Eurostat (GISCO).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from services.matching.domain.territories import CODE_PATTERN, LAU_LEVEL
from services.matching.schemas.territories import TerritoryDetail, TerritoryPage
from services.matching.service import territories
from services.matching.service.territories import Rendered
from shared.auth import CurrentPrincipal
from shared.db import ReadSession
from shared.openapi import problems
from shared.pagination import CursorParam, Limit

router = APIRouter(prefix="/api/v1/territories", tags=["territories"])

_CACHE_CONTROL = "private, max-age=3600"

Q = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        description="the start of the name, in Latin or national script; case and accents do "
        "not matter (`roma`, `kyp`, `κυπ`)",
        examples=["roma"],
    ),
]
Level = Annotated[
    int | None,
    Query(
        ge=0,
        le=LAU_LEVEL,
        description="only this level: 0 country, 1-3 NUTS 1-3, 4 municipality (LAU)",
        examples=[3],
    ),
]
Parent = Annotated[
    str | None,
    Query(
        pattern=CODE_PATTERN,
        description="only the units directly under this code (`ITI4`: Lazio's provinces)",
        examples=["ITI4"],
    ),
]
Code = Annotated[
    str,
    Path(
        pattern=CODE_PATTERN,
        description="a NUTS 2024 code, or `<country>_<LAU code>` for a municipality",
        examples=["ITI43"],
    ),
]


def _answer(rendered: Rendered) -> Response:
    headers = {"Cache-Control": _CACHE_CONTROL, "ETag": rendered.etag}
    return Response(content=rendered.body, media_type="application/json", headers=headers)


@router.get(
    "",
    response_model=TerritoryPage,
    responses=problems(422),
    summary="Search and list territories (NUTS 2024 and LAU)",
    description="Filters combine: `q` a name prefix, `level`, `parent`. Broader units first, "
    "then alphabetical by Latin name; keyset pages (`limit`, `cursor`).",
)
async def list_territories(
    _principal: CurrentPrincipal,
    session: ReadSession,
    q: Q = None,
    level: Level = None,
    parent: Parent = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    found = await territories.page(
        session, q=q, level=level, parent=parent, cursor=cursor, limit=limit
    )
    return _answer(found)


@router.get(
    "/{code}",
    response_model=TerritoryDetail,
    responses=problems(404, 422),
    summary="One territory, with its parents up to the country",
)
async def read_territory(
    _principal: CurrentPrincipal, session: ReadSession, code: Code
) -> Response:
    return _answer(await territories.read(session, code))
