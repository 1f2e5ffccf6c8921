"""The catalogue of problem types: every error body's `type` is a URI the gateway answers with
the type's title, status and meaning, and the committed catalogue is the one the classes make."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from shared import problem_types
from shared.errors import Problem, problem_type
from tools.problem_types import every_problem, generated

ISSUER = "http://gateway.test"  # tests/conftest.py's


def test_the_committed_catalogue_is_the_one_the_classes_make() -> None:
    assert problem_types.CATALOGUE.read_text(encoding="utf-8") == generated(), (
        "shared/problem_types.json is stale: run python -m tools.problem_types (or make openapi)"
    )
    slugs = {entry["slug"] for entry in problem_types.load()}
    assert {problem.slug for problem in every_problem()} <= slugs
    named = [cls for cls in every_problem() if "slug" in vars(cls) and cls is not Problem]
    assert all("description" in vars(cls) for cls in named), [
        cls.__qualname__ for cls in named if "description" not in vars(cls)
    ]


async def test_every_type_resolves_to_its_document(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.get("/problems")  # no token
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "public, max-age=3600"
    catalogue = answer.json()
    assert catalogue["next_cursor"] is None
    assert {item["slug"] for item in catalogue["items"]} >= {"not-found", "validation", "oauth"}
    for item in catalogue["items"]:
        assert item["type"] == f"{ISSUER}/problems/{item['slug']}"
        one = await gateway.get(urlsplit(item["type"]).path)
        assert one.status_code == 200, item
        assert one.json() == item
    oauth = next(item for item in catalogue["items"] if item["slug"] == "oauth")
    assert oauth["statuses"] == [400, 401]


async def test_an_error_names_a_type_that_resolves(gateway: httpx.AsyncClient) -> None:
    for refused in (
        await gateway.get("/problems/no-such-type"),
        await gateway.delete("/problems"),  # a bare 405: its phrase is a type too
        await gateway.get("/api/v1/users/me"),  # no token
        await gateway.post("/api/v1/auth/token", data={"grant_type": "magic"}),
    ):
        body = refused.json()
        # The token endpoint answers application/json, as OAuth clients expect (RFC 6749 5.2).
        assert refused.headers["content-type"].split(";")[0].endswith("json")
        assert body["type"].startswith(f"{ISSUER}/problems/"), body
        assert body["type"] == problem_type(body["type"].rsplit("/", 1)[1])
        described = await gateway.get(urlsplit(body["type"]).path)
        assert described.status_code == 200, body
        document = described.json()
        assert document["title"] == body["title"], (document, body)
        assert body["status"] in (document["statuses"] or [document["status"]])
