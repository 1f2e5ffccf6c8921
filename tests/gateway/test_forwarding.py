"""How the gateway forwards: bodies stream both ways intact, hop-by-hop headers stop at the gateway,
the request id and X-Forwarded-* travel, cookies are never shared between callers.

The upstream here is a small echo server run by uvicorn: what is under test is the gateway's
forwarding, which a real service's answers would hide."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from tests.conftest import gateway_settings
from tests.gateway.helpers import admin_headers
from tests.support import serve, truncate
from tools.processes import free_port

BIG = 5 * 1024 * 1024


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    digest, size = hashlib.sha256(), 0
    while True:
        message = await receive()
        digest.update(message.get("body", b""))
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    if scope["path"].endswith("/big"):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/octet-stream")],
            }
        )
        for _ in range(BIG // 65536):
            await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    body = json.dumps(
        {
            "method": scope["method"],
            "raw_path": scope["raw_path"].decode(),
            "query": scope["query_string"].decode(),
            "headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
            "size": size,
            "sha256": digest.hexdigest(),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [
                (b"content-type", b"application/json"),
                (b"set-cookie", b"session=secret-of-the-first-caller"),
                (b"x-upstream", b"echo"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def echo_gateway(gateway_database: str) -> AsyncIterator[httpx.AsyncClient]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(echo, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    await truncate(gateway_database, metadata)
    settings = gateway_settings(
        gateway_database, intake_url=f"http://127.0.0.1:{port}", max_body_bytes=8 * 1024 * 1024
    )
    try:
        async with serve(create_app(settings)) as client:
            yield client
    finally:
        server.should_exit = True
        await task


def _headers(answer: httpx.Response) -> dict[str, str]:
    return dict(answer.json()["headers"])


async def test_bodies_arrive_intact_with_and_without_content_length(
    echo_gateway: httpx.AsyncClient,
) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB
    expected = hashlib.sha256(payload).hexdigest()
    sized = await echo_gateway.post("/api/v1/beneficiaries/batch", content=payload)
    assert sized.status_code == 201
    assert (sized.json()["size"], sized.json()["sha256"]) == (len(payload), expected)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 100_000):
            yield payload[start : start + 100_000]

    streamed = await echo_gateway.post("/api/v1/beneficiaries/batch", content=chunks())
    assert (streamed.json()["size"], streamed.json()["sha256"]) == (len(payload), expected)


async def test_paths_queries_and_headers(echo_gateway: httpx.AsyncClient) -> None:
    answer = await echo_gateway.get(
        "/api/v1/beneficiaries/a%2Fb%20c?q=Jos%C3%A9&limit=5&limit=6",
        headers={
            "Connection": "keep-alive, X-Hop",
            "X-Hop": "must not pass",
            "Keep-Alive": "timeout=5",
            "X-Request-ID": "client-trace-12345",
            "Accept-Language": "it",
        },
    )
    echoed = answer.json()
    assert echoed["raw_path"] == "/api/v1/beneficiaries/a%2Fb%20c"
    assert echoed["query"] == "q=Jos%C3%A9&limit=5&limit=6"
    headers = _headers(answer)
    assert "x-hop" not in headers
    assert "keep-alive" not in headers
    assert headers["accept-language"] == "it"
    assert headers["x-request-id"] == "client-trace-12345" == answer.headers["x-request-id"]
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert answer.headers["x-upstream"] == "echo"
    assert answer.status_code == 201


async def test_large_responses_stream_back(echo_gateway: httpx.AsyncClient) -> None:
    answer = await echo_gateway.get("/api/v1/code-lists/big")
    assert answer.status_code == 200
    assert len(answer.content) == BIG
    assert len(answer.headers.get_list("date")) <= 1


async def test_cookies_from_one_caller_never_reach_another(echo_gateway: httpx.AsyncClient) -> None:
    first = await echo_gateway.get("/api/v1/code-lists/a")
    assert "secret-of-the-first-caller" in first.headers["set-cookie"]
    echo_gateway.cookies.clear()
    second = await echo_gateway.get("/api/v1/code-lists/b")
    assert "cookie" not in _headers(second)


async def test_oversized_bodies_stop_at_the_gateway(echo_gateway: httpx.AsyncClient) -> None:
    answer = await echo_gateway.post(
        "/api/v1/beneficiaries/batch", content=b"x" * (9 * 1024 * 1024)
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"


async def test_a_valid_token_is_forwarded(echo_gateway: httpx.AsyncClient) -> None:
    headers = await admin_headers(echo_gateway)
    answer = await echo_gateway.get("/api/v1/code-lists/x", headers=headers)
    assert _headers(answer)["authorization"] == headers["Authorization"]
