"""The gateway's two doors (services/gateway/edge/surfaces.py), in process: the public port answers
404 to /internal/* and /metrics exactly as to an unknown path, and the internal port serves them
(and the health probes) and nothing of the public API. Both doors share one application state."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from services.gateway.edge.surfaces import internal_only
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, gateway_settings
from tests.gateway.helpers import admin_headers
from tests.support import serve, truncate

INTERNAL_PORT = 18100
INTERNAL = {"Authorization": "Bearer internal-secret"}


@pytest.fixture
async def doors(gateway_database: str) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway with its doors split, on an emptied database: the public door at
    http://gateway.test, the internal one at port ``INTERNAL_PORT``."""
    await truncate(gateway_database, metadata)
    settings = gateway_settings(
        gateway_database, internal_port=INTERNAL_PORT, internal_token="internal-secret"
    )
    async with serve(
        create_app(settings, internal_port=INTERNAL_PORT), base_url="http://gateway.test"
    ) as client:
        yield client


def internal(path: str) -> str:
    return f"http://gateway.test:{INTERNAL_PORT}{path}"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/metrics", True),
        ("/internal", True),
        ("/internal/events", True),
        ("/internal/organizations/x/emergency-entitlement", True),
        ("/internalx", False),
        ("/api/v1/internal/events", False),
        ("/metrics/", False),
        ("/healthz", False),
    ],
)
def test_which_paths_are_internal(path: str, expected: bool) -> None:
    assert internal_only(path) is expected


async def test_the_public_door_answers_404_to_internal_paths_as_to_unknown_ones(
    doors: httpx.AsyncClient,
) -> None:
    unknown = await doors.get("/no-such-path")
    assert unknown.status_code == 404
    for method, path in [
        ("GET", "/metrics"),
        ("POST", "/internal/events"),
        ("GET", f"/internal/organizations/{uuid.uuid4()}/emergency-entitlement"),
        ("GET", f"/internal/beneficiaries/{uuid.uuid4()}/export"),
    ]:
        answer = await doors.request(method, path, headers=INTERNAL, json={"events": []})
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == unknown.headers["content-type"]
        assert "x-request-id" in answer.headers
        body = answer.json()
        assert body.pop("instance") == path
        assert body.pop("request_id") != unknown.json()["request_id"]
        expected = unknown.json()
        expected.pop("instance"), expected.pop("request_id")
        assert body == expected
    assert (await doors.get("/api/v1/status")).status_code == 200
    assert (await doors.get("/.well-known/jwks.json")).status_code == 200
    assert (await doors.get("/healthz")).status_code == 200


async def test_the_internal_door_serves_internal_paths_and_metrics_only(
    doors: httpx.AsyncClient,
) -> None:
    metrics = await doors.get(internal("/metrics"))
    assert metrics.status_code == 200
    assert "ponte_http_requests_total" in metrics.text
    delivered = await doors.post(
        internal("/internal/events"), json={"events": []}, headers=INTERNAL
    )
    assert delivered.status_code < 300, delivered.text
    assert (await doors.post(internal("/internal/events"), json={"events": []})).status_code == 401
    for path in ("/healthz", "/readyz"):
        assert (await doors.get(internal(path))).status_code == 200
    for path in ("/api/v1/status", "/.well-known/jwks.json", "/openapi.json", "/docs"):
        assert (await doors.get(internal(path))).status_code == 404, path
    signed_in = await doors.post(
        internal("/api/v1/auth/token"),
        data={"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    assert signed_in.status_code == 404


async def test_both_doors_share_one_state(doors: httpx.AsyncClient) -> None:
    """An organisation created through the public door is what intake asks about through the
    internal one."""
    admin = await admin_headers(doors)
    created = await doors.post(
        "/api/v1/organizations",
        json={"name": "Hospital", "type": "other", "emergency_reasons": ["medical_emergency"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    organization_id = created.json()["id"]
    path = f"/internal/organizations/{organization_id}/emergency-entitlement"
    answer = await doors.get(internal(path), headers=INTERNAL)
    assert answer.status_code == 200
    assert answer.json()["reason_codes"] == ["medical_emergency"]
    assert (await doors.get(path, headers=INTERNAL)).status_code == 404


async def test_without_an_internal_port_one_app_answers_every_path(
    gateway: httpx.AsyncClient,
) -> None:
    """In-process tests and the OpenAPI build: no doors (``python -m services.gateway serve``
    always splits)."""
    assert (await gateway.get("/metrics")).status_code == 200
