"""``GET /problems`` and ``GET /problems/{slug}``: the catalogue of problem types, each published
at the URI error bodies carry in ``type`` (RFC 9457 3.1.1), without a token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from services.gateway.schemas.problems import ProblemType, ProblemTypeList
from services.gateway.service import problems
from shared.errors import PROBLEMS_PATH, NotFound
from shared.openapi import problems as problem_responses

router = APIRouter(prefix=PROBLEMS_PATH, tags=["problems"])
CACHE = "public, max-age=3600"  # changes only with a deployment


@router.get(
    "",
    response_model=ProblemTypeList,
    summary="Every problem type an error body may name",
    description="The catalogue of `type` URIs of the API's problem+json errors, with the title, "
    "status and meaning of each: one page, `next_cursor` always null.",
    openapi_extra={"security": []},
)
async def list_problem_types(response: Response) -> ProblemTypeList:
    response.headers["Cache-Control"] = CACHE
    return ProblemTypeList(items=problems.catalogue())


@router.get(
    "/{slug}",
    response_model=ProblemType,
    responses=problem_responses(404),
    summary="One problem type: what an error body's `type` URI resolves to",
    description="Its title, status and meaning. A `type` the API answered always resolves here.",
    openapi_extra={"security": []},
)
async def read_problem_type(
    slug: Annotated[str, Path(max_length=64, description="the last segment of a `type` URI")],
    response: Response,
) -> ProblemType:
    found = problems.one(slug)
    if found is None:
        raise NotFound("No such problem type; GET /problems lists them.")
    response.headers["Cache-Control"] = CACHE
    return found
