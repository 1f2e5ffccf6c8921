"""End to end: the four services as processes, driven over HTTP through the gateway only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from shared.auth.tokens import sign
from shared.testing.tokens import TestIssuer, public_pem
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import FIRST_PASSWORD, bearer, first_sign_in, token
from tests.support import sql

pytestmark = pytest.mark.e2e


def test_status_shows_every_service_ready(stack: Stack) -> None:
    with stack.client() as client:
        status = client.get("/api/v1/status").json()
    assert status["status"] == "ready"
    assert set(status["services"]) == {"intake", "pathways", "matching"}
    assert all(service["status"] == "ready" for service in status["services"].values())


def test_two_organisations_their_people_and_a_service_call(stack: Stack) -> None:
    with stack.client() as client:
        admin = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
        organizations = {}
        for name, kind in (("E2E Caritas", "ngo"), ("E2E Centro impiego", "employment_service")):
            answer = client.post(
                "/api/v1/organizations", json={"name": name, "type": kind}, headers=admin
            )
            assert answer.status_code == 201, answer.text
            organizations[name] = answer.json()["id"]
        a, b = organizations.values()

        people: dict[str, dict[str, Any]] = {}
        for label, organization in (("a", a), ("b", b)):
            org_admin = client.post(
                "/api/v1/users",
                json={
                    "email": f"admin-{label}@e2e.example",
                    "full_name": f"Admin {label}",
                    "password": FIRST_PASSWORD,
                    "roles": ["org_admin"],
                    "organization_id": organization,
                },
                headers=admin,
            )
            assert org_admin.status_code == 201
            org_admin_headers = bearer(first_sign_in(client, f"admin-{label}@e2e.example"))
            operator = client.post(
                "/api/v1/users",
                json={
                    "email": f"operator-{label}@e2e.example",
                    "full_name": f"Operator {label}",
                    "password": FIRST_PASSWORD,
                    "roles": ["operator"],
                },
                headers=org_admin_headers,
            )
            assert operator.status_code == 201
            assert operator.json()["organization_id"] == organization
            people[label] = {
                "operator_id": operator.json()["id"],
                "headers": bearer(first_sign_in(client, f"operator-{label}@e2e.example")),
            }

        me = client.get("/api/v1/auth/me", headers=people["a"]["headers"]).json()
        assert me["email"] == "operator-a@e2e.example"
        assert me["roles"] == ["operator"]
        assert me["organization"]["id"] == a

        # A service endpoint that needs a token, reached through the gateway.
        assert client.get("/api/v1/code-lists/cefr-levels").status_code == 401
        levels = client.get("/api/v1/code-lists/cefr-levels", headers=people["a"]["headers"])
        assert levels.status_code == 200
        assert [item["code"] for item in levels.json()["items"]] == [
            "A1",
            "A2",
            "B1",
            "B2",
            "C1",
            "C2",
        ]

        # Organisation A's operator asks for B's operator: not found, not forbidden.
        other = client.get(
            f"/api/v1/users/{people['b']['operator_id']}", headers=people["a"]["headers"]
        )
        assert other.status_code == 404
        assert other.headers["content-type"] == "application/problem+json"
        own = client.get(
            f"/api/v1/users/{people['a']['operator_id']}", headers=people["a"]["headers"]
        )
        assert own.status_code == 200


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.fixture(scope="module")
async def forged_tokens(stack: Stack) -> dict[str, str]:
    """Tokens an attacker might try; some signed with the gateway's real key (read from its
    database) to prove the claims are checked, not just the signature."""
    rows = await sql(
        stack.databases["gateway"],
        "SELECT kid, private_key_pem, public_jwk FROM signing_key WHERE retires_at IS NULL",
    )
    kid, private_pem, public_jwk = rows[0]["kid"], rows[0]["private_key_pem"], rows[0]["public_jwk"]
    public_jwk = json.loads(public_jwk) if isinstance(public_jwk, str) else public_jwk
    now = int(time.time())
    claims = {
        "iss": stack.gateway,
        "aud": "ponte-api",
        "sub": str(uuid.uuid4()),
        "kind": "user",
        "org": str(uuid.uuid4()),
        "roles": ["platform_admin"],
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }

    def ours(**changes: Any) -> str:
        return sign({**claims, **changes}, private_key_pem=private_pem, algorithm="ES256", kid=kid)

    public_key_pem = public_pem(public_jwk)
    hs_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
    hs_mac = hmac.new(public_key_pem, hs_input.encode(), hashlib.sha256).digest()
    hs_signature = base64.urlsafe_b64encode(hs_mac).decode().rstrip("=")
    genuine = ours()
    head, _payload, signature = genuine.split(".")
    stranger = TestIssuer(issuer=stack.gateway)
    return {
        "genuine": genuine,
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}.",
        "HS256 signed with the public key": f"{hs_input}.{hs_signature}",
        "expired": ours(exp=now - 120, iat=now - 1000, nbf=now - 1000),
        "wrong aud": ours(aud="someone-else"),
        "wrong iss": ours(iss="https://evil.example"),
        "tampered payload": f"{head}.{_b64({**claims, 'sub': 'someone'})}.{signature}",
        "unknown kid": sign(
            claims, private_key_pem=stranger.private_pem, algorithm="ES256", kid="who"
        ),
    }


ATTACKS = [
    "alg none",
    "HS256 signed with the public key",
    "expired",
    "wrong aud",
    "wrong iss",
    "tampered payload",
    "unknown kid",
]


@pytest.mark.parametrize("attack", [None, *ATTACKS])
def test_token_attacks_get_401_at_the_gateway_and_at_the_service(
    stack: Stack, forged_tokens: dict[str, str], attack: str | None
) -> None:
    headers = bearer(forged_tokens[attack]) if attack else {}
    intake = stack.processes["intake"].url
    for url in (
        f"{stack.gateway}/api/v1/auth/me",
        f"{stack.gateway}/api/v1/code-lists/sexes",
        f"{intake}/api/v1/code-lists/sexes",  # the service checks too (defence in depth)
    ):
        answer = httpx.get(url, headers=headers, timeout=10)
        assert answer.status_code == 401, (url, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


def test_the_genuine_forged_token_baseline_works(
    stack: Stack, forged_tokens: dict[str, str]
) -> None:
    """The attack fixtures are derived from a token that does verify: the 401s above are the
    attacks' doing, not a broken baseline."""
    answer = httpx.get(
        f"{stack.processes['intake'].url}/api/v1/code-lists/sexes",
        headers=bearer(forged_tokens["genuine"]),
        timeout=10,
    )
    assert answer.status_code == 200


def test_request_id_is_propagated_and_logged(stack: Stack) -> None:
    with stack.client() as client:
        access = token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
        answer = client.get(
            "/api/v1/code-lists/countries",
            headers={**bearer(access), "X-Request-ID": "e2e-trace-0123456789"},
        )
        generated = client.get("/api/v1/code-lists/countries", headers=bearer(access))
    assert answer.headers["x-request-id"] == "e2e-trace-0123456789"
    assert len(generated.headers["x-request-id"]) == 32
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [
            json.loads(line)
            for line in stack.log_text("intake").splitlines()
            if line.startswith("{")
        ]
        if any(line.get("request_id") == "e2e-trace-0123456789" for line in lines):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the intake service did not log the gateway's request id")
    gateway_lines = [
        json.loads(line) for line in stack.log_text("gateway").splitlines() if line.startswith("{")
    ]
    assert any(
        line.get("request_id") == "e2e-trace-0123456789" and line.get("route") == "proxy:intake"
        for line in gateway_lines
    )


def test_merged_openapi_and_docs(stack: Stack) -> None:
    with stack.client() as client:
        document = client.get("/openapi.json").json()
        docs = client.get("/docs")
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/auth/token", "/api/v1/users", "/api/v1/code-lists/{name}"} <= set(
        document["paths"]
    )
    assert "x-ponte-unavailable-services" not in document["info"]
    assert "ProblemDetail" in document["components"]["schemas"]
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text


def test_metrics_count_requests_by_route(stack: Stack) -> None:
    with stack.client() as client:
        client.get("/api/v1/status")
    text = httpx.get(f"{stack.processes['gateway'].internal_url}/metrics", timeout=30.0).text
    assert (
        'ponte_http_requests_total{method="GET",route="/api/v1/status",service="gateway",status="200"}'
        in text
    )


def test_a_killed_service_answers_503_and_the_rest_keeps_working(stack: Stack) -> None:
    intake = stack.processes["intake"]
    with stack.client() as client:
        access = token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
        intake.kill()
        try:
            down = client.get("/api/v1/code-lists/sexes", headers=bearer(access))
            assert down.status_code == 503
            assert down.json()["service"] == "intake"
            assert client.get("/api/v1/auth/me", headers=bearer(access)).status_code == 200
            assert (
                client.get("/api/v1/status").json()["services"]["intake"]["status"] == "unavailable"
            )
        finally:
            intake.start()
            intake.wait_ready()
        assert client.get("/api/v1/code-lists/sexes", headers=bearer(access)).status_code == 200
