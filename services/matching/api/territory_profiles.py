"""``/api/v1/territories/{code}/profiles``: a territory's dated, sourced variables (social,
socio-economic, institutional), entered as JSON or imported as CSV, and the figures Ponte
computes for it from its own data."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status

from services.matching.db.models import idempotency
from services.matching.domain.territories import CODE_PATTERN
from services.matching.domain.territory_profiles import CSV_COLUMNS
from services.matching.schemas.territory_profiles import EXAMPLE as _EXAMPLE
from services.matching.schemas.territory_profiles import (
    MAX_VALUES,
    ProfileCreated,
    ProfileValueIn,
    TerritoryProfileRead,
)
from services.matching.service import territory_profiles
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.errors import FieldError, UnprocessableContent
from shared.idempotency_routes import idempotent_routes
from shared.openapi import component_schemas, problems, schema_ref
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/territories",
    tags=["territories"],
    route_class=idempotent_routes(idempotency),
)

Code = Annotated[
    str,
    Path(
        pattern=CODE_PATTERN,
        description="a NUTS 2024 code, or `<country>_<LAU code>` for a municipality",
        examples=["ITI43"],
    ),
]
_ONE = schema_ref(ProfileValueIn)
_BODY: dict[str, Any] = {
    **component_schemas(ProfileValueIn),
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [_ONE, {"type": "array", "items": _ONE, "maxItems": MAX_VALUES}]
                },
                "example": [_EXAMPLE],
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": ",".join(CSV_COLUMNS)
                + "\nsocial,foreign_residents,523000,people,2024,ISTAT,https://demo.istat.it/\n",
            },
        },
    },
}


async def _values(request: Request) -> list[ProfileValueIn]:
    raw = await request.body()
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == "text/csv":
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UnprocessableContent(
                "The CSV must be UTF-8.",
                errors=[FieldError(field="body", message="not UTF-8", code="encoding")],
            ) from error
        return territory_profiles.parse_csv(text)
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise UnprocessableContent(
            "The body is not JSON (or send text/csv).",
            errors=[FieldError(field="body", message="invalid JSON", code="json_invalid")],
        ) from error
    return territory_profiles.parse_json(document)


@router.post(
    "/{code}/profiles",
    status_code=status.HTTP_201_CREATED,
    response_model=ProfileCreated,
    responses=problems(403, 404, 422),
    openapi_extra=_BODY,
    summary="Add dated, sourced values to a territory's profile (JSON, or a CSV file)",
    description="One value or a list of up to 500 as JSON, or `Content-Type: text/csv` with the "
    f"header `{','.join(CSV_COLUMNS)}`. Every bad value or line is reported (CSV: "
    "`body.line.<n>`) and nothing is stored. For the platform admin, and the coordinators of a "
    "cluster whose territories contain the code.",
)
async def add_values(
    code: Code, request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    values = await _values(request)
    await territory_profiles.require_territory(session, code)
    await territory_profiles.check_writer(session, principal, code)
    rows = await territory_profiles.create(session, principal, code, values)
    await session.flush()
    for row in rows:
        await session.refresh(row, ["created_at"])
    return json_response(
        {"items": [territory_profiles.as_read(row) for row in rows]},
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/territories/{code}/profiles"},
    )


@router.get(
    "/{code}/profiles",
    response_model=TerritoryProfileRead,
    responses=problems(403, 404, 422),
    summary="A territory's profile: its sourced values, and what Ponte computes for it",
)
async def read_profile(
    code: Code,
    principal: CurrentPrincipal,
    session: ReadSession,
    history: Annotated[
        bool,
        Query(alias="all", description="every value entered, not only each variable's latest"),
    ] = False,
) -> Response:
    return json_response(await territory_profiles.read(session, principal, code, history=history))
