"""The gateway's routing table and its answers when a service is down or too slow."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from services.gateway.edge.routing import service_for
from tests.conftest import gateway_settings
from tests.gateway.helpers import admin_headers
from tests.support import serve, truncate
from tools.processes import free_port


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/v1/code-lists/countries", "intake"),
        ("/api/v1/code-lists/planets", "intake"),  # a name no service has: intake's 404
        ("/api/v1/code-lists/pathway-stages", "pathways"),
        ("/api/v1/code-lists/rights-check-items", "pathways"),
        ("/api/v1/code-lists/offer-types", "matching"),
        ("/api/v1/code-lists/service-point-kinds/", "matching"),
        ("/api/v1/code-lists/offer-types-x", "intake"),
        ("/api/v1/code-lists", None),  # the index: the gateway composes it
        ("/api/v1/code-listsX", None),
        ("/api/v1/beneficiaries", "intake"),
        ("/api/v1/beneficiaries/batch", "intake"),
        ("/api/v1/beneficiaries/3f0c/consents/1", "intake"),
        ("/api/v1/beneficiaries/3f0c/matches", "matching"),
        ("/api/v1/beneficiaries/3f0c/territorial-context", "matching"),
        ("/api/v1/beneficiaries/3f0c/territorial-contexts", "intake"),
        ("/api/v1/pathways/1/actions/2", "pathways"),
        ("/api/v1/reports/indicators", "pathways"),
        ("/api/v1/reports/referrals", "matching"),
        ("/api/v1/reports/engagement", "matching"),
        ("/api/v1/reports/engagement/", "matching"),
        ("/api/v1/reports/engagements", "pathways"),
        ("/api/v1/appointments", "pathways"),
        ("/api/v1/appointments/1", "pathways"),
        ("/api/v1/appointmentsX", None),
        ("/api/v1/me/appointments", "pathways"),
        ("/api/v1/offers/1/candidates", "matching"),
        ("/api/v1/referrals", "matching"),
        ("/api/v1/allocations", "matching"),
        ("/api/v1/taxonomy/skills", "matching"),
        ("/api/v1/territories", "matching"),
        ("/api/v1/territories/IT_058091", "matching"),
        ("/api/v1/territoriesX", None),
        ("/api/v1/service-points", "matching"),
        ("/api/v1/service-points/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f", "matching"),
        ("/api/v1/service-pointsX", None),
        ("/api/v1/me/emergency-accesses", "intake"),
        ("/api/v1/me/consents/1", "intake"),
        ("/api/v1/auth/token", None),
        ("/api/v1/users/1", None),
        ("/api/v1/organizations", None),
        ("/api/v1/status", None),
        ("/api/v1/beneficiariesX", None),
        ("/.well-known/jwks.json", None),
    ],
)
def test_routing_table(path: str, service: str | None) -> None:
    assert service_for(path) == service


async def _hung_server() -> tuple[asyncio.Server, int]:
    """Accepts connections and never answers: a service stuck on something."""

    async def hold(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
        await reader.read(-1)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.fixture
async def faulty_gateway(gateway_database: str) -> AsyncIterator[httpx.AsyncClient]:
    """Intake is down (nothing listens), matching hangs, pathways is down too."""
    await truncate(gateway_database, metadata)
    server, hung_port = await _hung_server()
    settings = gateway_settings(
        gateway_database,
        intake_url=f"http://127.0.0.1:{free_port()}",
        pathways_url=f"http://127.0.0.1:{free_port()}",
        matching_url=f"http://127.0.0.1:{hung_port}",
        upstream_timeout_seconds=0.5,
    )
    try:
        async with serve(create_app(settings)) as client:
            yield client
    finally:
        server.close()


async def test_a_service_that_is_down_answers_503_and_the_rest_keeps_working(
    faulty_gateway: httpx.AsyncClient,
) -> None:
    headers = await admin_headers(faulty_gateway)
    answer = await faulty_gateway.get("/api/v1/code-lists/countries", headers=headers)
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["service"] == "intake"
    assert answer.headers["x-request-id"] == answer.json()["request_id"]
    assert (await faulty_gateway.get("/api/v1/auth/me", headers=headers)).status_code == 200


async def test_the_code_list_index_is_a_503_while_a_service_does_not_give_its_part(
    faulty_gateway: httpx.AsyncClient,
) -> None:
    """An index that silently lacked a service's lists would look complete."""
    headers = await admin_headers(faulty_gateway)
    answer = await faulty_gateway.get("/api/v1/code-lists", headers=headers)
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["service"] in {"intake", "pathways", "matching"}
    assert (await faulty_gateway.get("/api/v1/code-lists")).status_code == 401


async def test_a_slow_service_answers_504_within_the_timeout(
    faulty_gateway: httpx.AsyncClient,
) -> None:
    headers = await admin_headers(faulty_gateway)
    started = time.monotonic()
    answer = await faulty_gateway.get("/api/v1/offers", headers=headers)
    elapsed = time.monotonic() - started
    assert answer.status_code == 504
    assert answer.json()["service"] == "matching"
    assert elapsed < 3.0
    assert (await faulty_gateway.get("/api/v1/organizations", headers=headers)).status_code == 200


async def test_invalid_tokens_stop_at_the_gateway(faulty_gateway: httpx.AsyncClient) -> None:
    """The gateway refuses a bad token before contacting a service (here: one that is down)."""
    answer = await faulty_gateway.get(
        "/api/v1/code-lists/countries", headers={"Authorization": "Bearer x.y.z"}
    )
    assert answer.status_code == 401


async def test_two_authorization_headers_are_refused_at_every_route(
    faulty_gateway: httpx.AsyncClient,
) -> None:
    """The proxy used to check the last header (here not a bearer token: let through), a service
    the first; the gateway's own routes the first. Now neither is read: 400."""
    headers = await admin_headers(faulty_gateway)
    twice = [("Authorization", headers["Authorization"]), ("Authorization", "Basic eDp5")]
    for path in ("/api/v1/code-lists/countries", "/api/v1/auth/me", "/api/v1/organizations"):
        answer = await faulty_gateway.get(path, headers=twice)
        assert answer.status_code == 400, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["detail"] == "Send one Authorization header, not several."
    assert (await faulty_gateway.get("/api/v1/auth/me", headers=headers)).status_code == 200


async def test_status_reports_each_service(faulty_gateway: httpx.AsyncClient) -> None:
    status = (await faulty_gateway.get("/api/v1/status")).json()
    assert status["status"] == "degraded"
    assert status["gateway"]["status"] == "ready"
    assert status["services"]["intake"]["status"] == "unavailable"
    assert status["services"]["matching"]["status"] == "timeout"


async def test_merged_openapi_names_missing_services(faulty_gateway: httpx.AsyncClient) -> None:
    document = (await faulty_gateway.get("/openapi.json")).json()
    assert set(document["info"]["x-ponte-unavailable-services"]) == {
        "intake",
        "pathways",
        "matching",
    }
    assert "/api/v1/auth/token" in document["paths"]


async def test_an_oversized_chunked_body_is_413_not_an_unavailable_service(
    gateway_database: str,
) -> None:
    """The body limit trips while the proxy streams the body upstream: the HTTP client wraps it
    in a transport error, which used to read as "intake unavailable" (503)."""
    await truncate(gateway_database, metadata)
    server, port = await _hung_server()  # reads whatever comes, answers nothing
    settings = gateway_settings(
        gateway_database,
        intake_url=f"http://127.0.0.1:{port}",
        max_body_bytes=4096,
        upstream_timeout_seconds=5,
    )

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(16):
            yield b"x" * 1024
            await asyncio.sleep(0.01)  # separate ASGI messages: the streaming path

    try:
        async with serve(create_app(settings)) as client:
            answer = await client.post(
                "/api/v1/beneficiaries",
                content=chunks(),
                headers={"Content-Type": "application/json"},
            )
            assert answer.status_code == 413
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["status"] == 413
            assert "4096" in answer.json()["detail"]
            small = await client.post(
                "/api/v1/beneficiaries",
                content=b"x" * 8192,
                headers={"Content-Type": "application/json"},
            )
            assert small.status_code == 413  # declared length: refused before any byte is read
    finally:
        server.close()
