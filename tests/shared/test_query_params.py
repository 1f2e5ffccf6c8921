"""Unknown query parameters are a 422 naming them, on every route; declared ones (the route's,
its dependencies', a query model's fields) pass."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import BaseModel

from shared.errors import install_handlers, problem_type
from shared.query_params import refuse_unknown_query_params


class Filters(BaseModel):
    status: str | None = None
    since: str | None = None


def paging(limit: int = 50, cursor: str | None = None) -> dict[str, object]:
    return {"limit": limit, "cursor": cursor}


router = APIRouter()


@router.get("/people")
async def people(
    page: Annotated[dict[str, object], Depends(paging)],
    name: Annotated[str | None, Query(alias="family_name")] = None,
) -> dict[str, object]:
    return {**page, "name": name}


@router.get("/offers")
async def offers(filters: Annotated[Filters, Query()]) -> Filters:
    return filters


@pytest.fixture
def client() -> httpx.AsyncClient:
    app = FastAPI(dependencies=[Depends(refuse_unknown_query_params)])
    install_handlers(app)
    app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/people", 200),
        ("/people?limit=5&cursor=abc&family_name=Osei", 200),
        ("/people?family_name=a&family_name=b", 200),
        ("/offers?status=open&since=2026-01-01", 200),
        ("/people?external_id=x", 422),
        ("/people?name=Osei", 422),  # the alias is the parameter's name
        ("/offers?status=open&external_id=x", 422),
        ("/healthz?probe=1", 422),
    ],
)
async def test_declared_parameters_pass_and_others_are_refused(
    client: httpx.AsyncClient, target: str, status: int
) -> None:
    answer = await client.get(target)
    assert answer.status_code == status, answer.text


async def test_the_refusal_names_the_unknown_parameters(client: httpx.AsyncClient) -> None:
    answer = await client.get("/people?limit=5&external_id=x&zz=1")
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == problem_type("validation")
    assert [error["field"] for error in problem["errors"]] == ["query.external_id", "query.zz"]
    assert {error["code"] for error in problem["errors"]} == {"extra_forbidden"}
    assert "external_id, zz" in problem["detail"]
    assert "cursor, family_name, limit" in problem["detail"]
