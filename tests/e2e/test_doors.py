"""The gateway process (``python -m services.gateway serve``) listens on two ports: the public one
answers 404 to the services' internal endpoints and to the metrics, the internal one serves them
and nothing of the API; the services reach the gateway there (events become webhooks, exports,
emergency entitlements: test_gdpr, test_webhooks)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.conftest import Stack

PUBLIC_ONLY = ["/api/v1/status", "/.well-known/jwks.json", "/openapi.json", "/docs", "/problems"]


@pytest.fixture(scope="module")
def internal_token(stack: Stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.processes['gateway'].env['PONTE_INTERNAL_TOKEN']}"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/metrics"),
        ("POST", "/internal/events"),
        ("GET", "/internal/organizations/{id}/emergency-entitlement"),
        ("GET", "/internal/organizations/{id}/users/{id}"),
        ("GET", "/internal/beneficiaries/{id}/export"),
    ],
)
def test_the_public_port_answers_404_to_internal_paths(
    stack: Stack, internal_token: dict[str, str], method: str, path: str
) -> None:
    path = path.format(id=uuid.uuid4())
    with stack.client() as client:
        answer = client.request(method, path, headers=internal_token, json={"events": []})
        unknown = client.request(method, "/no-such-path", headers=internal_token)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == unknown.json()["type"]


def test_the_internal_port_serves_metrics_and_internal_endpoints(
    stack: Stack, internal_token: dict[str, str]
) -> None:
    gateway = stack.processes["gateway"]
    assert gateway.internal_port not in (None, gateway.port)
    with httpx.Client(base_url=gateway.internal_url, timeout=30.0) as client:
        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert 'service="gateway"' in metrics.text
        delivered = client.post("/internal/events", json={"events": []}, headers=internal_token)
        assert delivered.status_code < 300, delivered.text
        assert client.post("/internal/events", json={"events": []}).status_code == 401
        unknown = client.get(
            f"/internal/organizations/{uuid.uuid4()}/emergency-entitlement", headers=internal_token
        )
        assert unknown.status_code == 404
        assert client.get("/readyz").status_code == 200
        for path in PUBLIC_ONLY:
            assert client.get(path).status_code == 404, path


def test_the_services_point_at_the_internal_port(stack: Stack) -> None:
    internal = stack.processes["gateway"].internal_url
    for service in ("intake", "pathways", "matching"):
        env = stack.processes[service].env
        assert env[f"PONTE_{service.upper()}_GATEWAY_URL"] == internal
        # The JWKS is public (external verifiers read it too): the public port.
        assert env["PONTE_AUTH_JWKS_URL"].startswith(stack.gateway)
