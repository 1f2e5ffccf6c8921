"""Request middleware: a crash is a bare problem+json 500, oversized bodies are 413, a repeated
single-valued header is 400, every request is logged as one JSON line with its request id and
without its query string."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request, Response

from shared.errors import PreconditionFailed, install_handlers, problem_type
from shared.etags import check_if_match
from shared.logging import configure_logging
from shared.metrics import HttpMetrics
from shared.middleware import RequestContextMiddleware


def _app() -> RequestContextMiddleware:
    """Composed as ``shared.app`` composes every service: our middleware outside FastAPI."""
    app = FastAPI()
    install_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret value Mohammed 1999-02-03")

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/api/v1/beneficiaries/{person}/documents")
    async def upload(request: Request, person: str) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.put("/api/v1/beneficiaries/{person}/documents")
    async def put_upload(request: Request, person: str) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.get("/authorization")
    async def authorization(request: Request) -> dict[str, str | None]:
        return {"authorization": request.headers.get("authorization")}

    @app.get("/things/{thing_id}")
    async def read_thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    @app.delete("/things/{thing_id}", status_code=204)
    async def delete_thing(thing_id: int) -> None:
        return None

    things = APIRouter(prefix="/routed")

    @things.get("/{thing_id}")
    async def read_routed(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    @things.patch("/{thing_id}")
    async def patch_routed(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    app.include_router(things)

    @app.get("/cached")
    async def cached() -> Response:
        return Response(b"{}", headers={"Cache-Control": "public, max-age=60"})

    return RequestContextMiddleware(
        app, metrics=HttpMetrics("test"), max_body_bytes=1024, max_upload_bytes=4096
    )


@pytest.fixture
def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_app(), raise_app_exceptions=False),
        base_url="http://test",
    )


async def test_a_crash_is_a_bare_500_problem(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("test", fmt="json")
    answer = await client.get("/boom")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["status"] == 500
    assert body["request_id"] == answer.headers["x-request-id"]
    assert "Mohammed" not in answer.text
    assert "Traceback" not in answer.text
    logged = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    assert any(line["event"] == "unhandled_error" for line in logged)


async def test_oversized_bodies_are_413(client: httpx.AsyncClient) -> None:
    declared = await client.post("/echo", content=b"x" * 2048)
    assert declared.status_code == 413
    assert declared.headers["content-type"] == "application/problem+json"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(4):
            yield b"x" * 512

    streamed = await client.post("/echo", content=chunks())
    assert streamed.status_code == 413
    assert (await client.post("/echo", content=b"x" * 100)).json() == {"size": 100}


async def test_an_upload_route_has_its_own_larger_limit(client: httpx.AsyncClient) -> None:
    url = "/api/v1/beneficiaries/x/documents"
    assert (await client.post(url, content=b"x" * 3000)).json() == {"size": 3000}

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 512

    assert (await client.post(url, content=chunks())).status_code == 413
    assert (await client.post(url, content=b"x" * 5000)).status_code == 413
    # Only a POST there takes a file: any other method keeps the small limit.
    assert (await client.put(url, content=b"x" * 3000)).status_code == 413
    assert (await client.post("/echo", content=b"x" * 3000)).status_code == 413


async def test_access_log_has_route_and_request_id_but_no_query(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("test", fmt="json")
    await client.post("/echo?q=Mohammed", content=b"{}", headers={"X-Request-ID": "trace-abcdefgh"})
    output = capsys.readouterr().out
    assert "Mohammed" not in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    request = next(line for line in lines if line["event"] == "request")
    assert request["request_id"] == "trace-abcdefgh"
    assert request["route"] == "/echo"
    assert request["status"] == 200
    assert request["service"] == "test"


async def test_malformed_request_ids_are_replaced(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/echo", content=b"", headers={"X-Request-ID": "bad id\twith spaces"}
    )
    assert answer.headers["x-request-id"] != "bad id\twith spaces"
    assert len(answer.headers["x-request-id"]) == 32


@pytest.mark.parametrize("name", ["Authorization", "authorization", "Idempotency-Key", "Host"])
async def test_a_repeated_single_valued_header_is_400_before_the_app(
    client: httpx.AsyncClient, name: str
) -> None:
    answer = await client.get(
        "/authorization", headers=[(name, "Bearer first"), (name.upper(), "Basic second")]
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == problem_type("bad-request")
    assert problem["request_id"] == answer.headers["x-request-id"]
    assert "second" not in answer.text
    assert "several" in problem["detail"]


async def test_one_of_each_passes(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        "/authorization",
        headers=[("Authorization", "Bearer one"), ("Idempotency-Key", "k1"), ("Accept", "a")],
    )
    assert answer.json() == {"authorization": "Bearer one"}


@pytest.mark.parametrize(
    ("lines", "version", "matches"),
    [
        (['"1"', '"2"'], 2, True),  # two lines are one list (RFC 9110 5.3)
        (['"1", "3"'], 3, True),
        (['"1"', '"2"'], 3, False),
        (['W/"3"'], 3, False),  # strong comparison: a weak tag never matches (RFC 9110 13.1.1)
        (['W/"3", "4"'], 3, False),
        (['W/"3", "3"'], 3, True),
        (["*"], 3, True),
    ],
)
def test_if_match_on_several_lines_is_one_list(
    lines: list[str], version: int, matches: bool
) -> None:
    request = Request({"type": "http", "headers": [(b"if-match", line.encode()) for line in lines]})
    if matches:
        check_if_match(request, version)
    else:
        with pytest.raises(PreconditionFailed):
            check_if_match(request, version)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/things/1", 200),
        ("DELETE", "/things/1", 204),
        ("POST", "/echo", 200),
        ("GET", "/boom", 500),
        ("GET", "/nowhere", 404),
        ("PUT", "/things/1", 405),
    ],
)
async def test_every_answer_is_nosniff_and_not_stored(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    answer = await client.request(method, path)
    assert answer.status_code == status
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"


async def test_a_handlers_own_caching_and_the_public_documents_stay_cacheable(
    client: httpx.AsyncClient,
) -> None:
    cached = await client.get("/cached")
    assert cached.headers.get_list("cache-control") == ["public, max-age=60"]
    assert cached.headers["x-content-type-options"] == "nosniff"
    schema = await client.get("/openapi.json")
    assert schema.status_code == 200
    assert "cache-control" not in schema.headers
    assert schema.headers["x-content-type-options"] == "nosniff"


async def test_a_405_lists_the_methods_of_every_route_on_the_path(
    client: httpx.AsyncClient,
) -> None:
    """GET and DELETE are two routes: Starlette's router alone would say only the first."""
    answer = await client.put("/things/1")
    assert answer.status_code == 405
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["allow"] == "GET, DELETE"
    post = await client.post("/things/1")
    assert post.headers["allow"] == "GET, DELETE"
    routed = await client.delete("/routed/1")  # routes of an included router
    assert routed.status_code == 405
    assert routed.headers["allow"] == "GET, PATCH"
