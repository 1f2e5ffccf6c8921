"""HTTP for mobile and browser clients at the gateway: gzip (of proxied answers too, never twice),
304 Not Modified on If-None-Match (proxied and the gateway's own resources), and CORS for the
configured origins only."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from services.gateway.edge.http_edge import accepts_gzip
from tests.conftest import gateway_settings
from tests.gateway.helpers import admin_headers, bearer, create_organization, create_user
from tests.support import serve, truncate
from tools.processes import free_port

ORIGIN = "https://app.ponte.example"
BIG = {
    "items": [{"id": index, "given_name": "Amina", "municipality": "Torino"} for index in range(80)]
}
SMALL = {"id": 1}


def _body(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


async def upstream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A service answering fixed documents: ``/big`` and ``/small`` with ETags, ``/gzipped``
    compressed already, ``/untagged`` without an ETag."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    name = scope["path"].rsplit("/", 1)[-1]
    headers = [(b"content-type", b"application/json")]
    body = _body(SMALL if name == "small" else BIG)
    if name in ("big", "small"):
        headers.append((b"etag", b'"7"'))
    if name == "gzipped":
        body = gzip.compress(body)
        headers.append((b"content-encoding", b"gzip"))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def upstream_server() -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(upstream, host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def edge_gateway(gateway_database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with intake replaced by :func:`upstream` and one allowed browser origin."""
    await truncate(gateway_database, metadata)
    async with upstream_server() as url:
        settings = gateway_settings(gateway_database, intake_url=url, cors_origins=[ORIGIN])
        async with serve(create_app(settings)) as client:
            yield client


async def _get(client: httpx.AsyncClient, name: str, **headers: str) -> httpx.Response:
    return await client.get(f"/api/v1/beneficiaries/{name}", headers=headers)


@pytest.mark.parametrize(
    ("accept_encoding", "accepted"),
    [
        (b"gzip", True),
        (b"gzip, deflate, br", True),
        (b"br;q=1.0, GZIP;q=0.5", True),
        (b"x-gzip", True),
        (b"gzip;q=0", False),
        (b"gzip; q=0.000", False),
        (b"identity", False),
        (b"deflate, br", False),
        (b"*", False),  # gzip is offered only to clients that name it
        (b"", False),
    ],
)
def test_which_clients_get_gzip(accept_encoding: bytes, accepted: bool) -> None:
    assert accepts_gzip(accept_encoding) is accepted


async def test_proxied_answers_are_compressed_for_clients_that_accept_gzip(
    edge_gateway: httpx.AsyncClient,
) -> None:
    answer = await _get(edge_gateway, "big", **{"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in answer.headers["vary"].lower()
    assert answer.json() == BIG  # httpx decodes it
    assert answer.num_bytes_downloaded < len(_body(BIG)) / 3
    assert answer.headers["etag"] == '"7"'  # the version tag, untouched


@pytest.mark.parametrize("accept_encoding", ["identity", "gzip;q=0", "br"])
async def test_other_clients_get_the_bytes_as_they_are(
    edge_gateway: httpx.AsyncClient, accept_encoding: str
) -> None:
    answer = await _get(edge_gateway, "big", **{"Accept-Encoding": accept_encoding})
    assert "content-encoding" not in answer.headers
    assert answer.num_bytes_downloaded == len(_body(BIG))
    assert answer.json() == BIG


async def test_small_answers_are_not_compressed(edge_gateway: httpx.AsyncClient) -> None:
    answer = await _get(edge_gateway, "small", **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in answer.headers
    assert answer.json() == SMALL


async def test_a_service_that_compressed_its_answer_is_not_compressed_twice(
    edge_gateway: httpx.AsyncClient,
) -> None:
    answer = await _get(edge_gateway, "gzipped", **{"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.json() == BIG  # one decoding gives the document back


async def test_the_gateways_own_answers_are_compressed_too(
    edge_gateway: httpx.AsyncClient,
) -> None:
    headers = await admin_headers(edge_gateway)
    for _ in range(12):
        await create_organization(edge_gateway, headers)
    answer = await edge_gateway.get(
        "/api/v1/organizations", headers={**headers, "Accept-Encoding": "gzip"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert len(answer.json()["items"]) == 13


@pytest.mark.parametrize("if_none_match", ['"7"', 'W/"7"', '"3", "7"', "*"])
async def test_a_proxied_read_the_client_holds_is_304_without_a_body(
    edge_gateway: httpx.AsyncClient, if_none_match: str
) -> None:
    answer = await _get(
        edge_gateway, "big", **{"If-None-Match": if_none_match, "Accept-Encoding": "gzip"}
    )
    assert answer.status_code == 304
    assert answer.content == b""
    assert answer.headers["etag"] == '"7"'
    assert "content-type" not in answer.headers
    assert "content-encoding" not in answer.headers
    assert answer.headers["x-request-id"]


async def test_a_changed_or_untagged_read_is_sent_in_full(edge_gateway: httpx.AsyncClient) -> None:
    changed = await _get(edge_gateway, "big", **{"If-None-Match": '"6"'})
    assert changed.status_code == 200
    assert changed.json() == BIG
    untagged = await _get(edge_gateway, "untagged", **{"If-None-Match": "*"})
    assert untagged.status_code == 200
    posted = await edge_gateway.post("/api/v1/beneficiaries/big", headers={"If-None-Match": '"7"'})
    assert posted.status_code == 200  # If-None-Match makes a 304 of reads only


async def test_the_gateways_own_resources_carry_etags_and_revalidate(
    edge_gateway: httpx.AsyncClient,
) -> None:
    root = await admin_headers(edge_gateway)
    organization = await create_organization(edge_gateway, root)
    org_admin = await create_user(edge_gateway, root, organization, ["org_admin"])
    headers = bearer(str(org_admin["access_token"]))
    user = await create_user(edge_gateway, headers, None, ["operator"])
    tags = {}
    for path in (f"/api/v1/users/{user['id']}", f"/api/v1/organizations/{organization}"):
        first = await edge_gateway.get(path, headers=headers)
        tag = tags[path] = first.headers["etag"]
        again = await edge_gateway.get(path, headers=headers)
        assert again.headers["etag"] == tag  # the same state, the same tag
        revalidated = await edge_gateway.get(path, headers={**headers, "If-None-Match": tag})
        assert revalidated.status_code == 304
        assert revalidated.content == b""
    changed = await edge_gateway.patch(
        f"/api/v1/users/{user['id']}",
        json={"full_name": "Renamed"},
        headers={**headers, "If-Match": tags[f"/api/v1/users/{user['id']}"]},
    )
    assert changed.status_code == 200
    stale = await edge_gateway.get(
        f"/api/v1/users/{user['id']}",
        headers={**headers, "If-None-Match": tags[f"/api/v1/users/{user['id']}"]},
    )
    assert stale.status_code == 200
    assert stale.json()["full_name"] == "Renamed"


async def test_a_preflight_from_a_configured_origin_is_allowed(
    edge_gateway: httpx.AsyncClient,
) -> None:
    answer = await edge_gateway.options(
        "/api/v1/beneficiaries",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, idempotency-key, if-match, "
            "if-none-match, accept-language, content-type",
        },
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert "PATCH" in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "idempotency-key", "if-match", "if-none-match"):
        assert header in allowed
    assert "access-control-allow-credentials" not in answer.headers


async def test_a_preflight_from_another_origin_is_refused(edge_gateway: httpx.AsyncClient) -> None:
    answer = await edge_gateway.options(
        "/api/v1/beneficiaries",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers


async def test_answers_to_a_configured_origin_expose_the_headers_apps_need(
    edge_gateway: httpx.AsyncClient,
) -> None:
    answer = await _get(edge_gateway, "big", Origin=ORIGIN)
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    exposed = {
        name.strip().lower() for name in answer.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "retry-after", "location", "x-request-id"} <= exposed
    foreign = await _get(edge_gateway, "big", Origin="https://evil.example")
    assert "access-control-allow-origin" not in foreign.headers


async def test_without_configured_origins_there_is_no_cors(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.options(
        "/api/v1/users", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in answer.headers


async def test_a_browser_app_can_read_a_429_and_preflights_cost_nothing(
    gateway_database: str,
) -> None:
    await truncate(gateway_database, metadata)
    settings = gateway_settings(gateway_database, cors_origins=[ORIGIN], rate_limit_per_minute=1)
    async with serve(create_app(settings)) as client:
        for _ in range(3):
            preflight = await client.options(
                "/api/v1/auth/me",
                headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
            )
            assert preflight.status_code == 200
        assert (await client.get("/api/v1/auth/me", headers={"Origin": ORIGIN})).status_code == 401
        limited = await client.get("/api/v1/auth/me", headers={"Origin": ORIGIN})
        assert limited.status_code == 429
        assert limited.headers["access-control-allow-origin"] == ORIGIN
        assert "retry-after" in limited.headers["access-control-expose-headers"].lower()
