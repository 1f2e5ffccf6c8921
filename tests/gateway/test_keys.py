"""Tokens are ES256 JWTs with a kid, verifiable with the JWKS; keys rotate without downtime; every
kind of forged or stale token is refused with 401."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import httpx
import pytest

from services.gateway.app import create_app
from shared.auth.tokens import construct_key, sign, verify
from shared.testing.tokens import TestIssuer, public_pem
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, gateway_settings
from tests.gateway.helpers import admin_headers, bearer, token
from tests.support import serve


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _hs256(header: dict[str, object], claims: dict[str, object], secret: bytes) -> str:
    """The classic confusion attack: HMAC keyed with the public key (no library will mint it)."""
    signing_input = f"{_b64(header)}.{_b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def _segments(value: str) -> tuple[dict[str, object], dict[str, object], str]:
    header, payload, signature = value.split(".")
    return _unb64(header), _unb64(payload), signature


def _unb64(part: str) -> dict[str, object]:
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


async def test_jwks_publishes_the_signing_key(gateway: httpx.AsyncClient) -> None:
    jwks = (await gateway.get("/.well-known/jwks.json")).json()
    access = await token(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    header, claims, _ = _segments(access)
    assert header["alg"] == "ES256"
    assert header["kid"] in {key["kid"] for key in jwks["keys"]}
    key = next(key for key in jwks["keys"] if key["kid"] == header["kid"])
    assert key["kty"] == "EC"
    assert key["crv"] == "P-256"
    assert "d" not in key
    verified = verify(
        access,
        construct_key(key, "ES256"),
        algorithms=("ES256",),
        issuer="http://gateway.test",
        audience="ponte-api",
    )
    assert verified["iss"] == "http://gateway.test"
    assert set(claims) >= {"iss", "aud", "sub", "exp", "nbf", "iat", "jti", "org", "roles"}


async def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(
    gateway: httpx.AsyncClient,
) -> None:
    before = await token(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    old_kid = _segments(before)[0]["kid"]
    keys = gateway._transport.app.state.keys  # type: ignore[attr-defined]
    new_kid = await keys.rotate()
    assert new_kid != old_kid

    assert (await gateway.get("/api/v1/auth/me", headers=bearer(before))).status_code == 200
    after = await token(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert _segments(after)[0]["kid"] == new_kid
    published = {key["kid"] for key in (await gateway.get("/.well-known/jwks.json")).json()["keys"]}
    assert {old_kid, new_kid} <= published


async def test_a_second_instance_picks_up_a_rotation(
    gateway: httpx.AsyncClient, gateway_database: str
) -> None:
    """Two gateway replicas on one database: a key rotated on one verifies on the other."""
    async with serve(create_app(gateway_settings(gateway_database))) as replica:
        replica_keys = replica._transport.app.state.keys  # type: ignore[attr-defined]
        await replica_keys.rotate()
        minted_by_replica = await token(replica, ADMIN_EMAIL, ADMIN_PASSWORD)
    await asyncio.sleep(0.3)  # unknown kids trigger a reload at most every 0.25 s
    assert (
        await gateway.get("/api/v1/auth/me", headers=bearer(minted_by_replica))
    ).status_code == 200


@pytest.fixture
async def forged(gateway: httpx.AsyncClient) -> dict[str, str]:
    """A genuine token, and forgeries derived from it."""
    genuine = await token(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    header, claims, signature = _segments(genuine)
    jwks = (await gateway.get("/.well-known/jwks.json")).json()
    public = next(key for key in jwks["keys"] if key["kid"] == header["kid"])
    stranger = TestIssuer(issuer=str(claims["iss"]))
    return {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': header['kid']})}.{_b64(claims)}.",
        "HS256 with the public key": _hs256(
            {"alg": "HS256", "typ": "JWT", "kid": header["kid"]},
            claims,
            public_pem(public),
        ),
        "expired": stranger_sign(stranger, claims, header, exp=int(time.time()) - 60),
        "tampered payload": ".".join(
            [_b64(header), _b64({**claims, "roles": ["platform_admin"]}), signature]
        ),
        "unknown kid": sign(
            claims, private_key_pem=stranger.private_pem, algorithm="ES256", kid="nobody"
        ),
        "signed by another key with the same kid": sign(
            claims, private_key_pem=stranger.private_pem, algorithm="ES256", kid=str(header["kid"])
        ),
        "garbage": "not.a.jwt",
    }


def stranger_sign(
    stranger: TestIssuer, claims: dict[str, object], header: dict[str, object], **changes: object
) -> str:
    return sign(
        {**claims, **changes},
        private_key_pem=stranger.private_pem,
        algorithm="ES256",
        kid=str(header["kid"]),
    )


@pytest.mark.parametrize(
    "case",
    [
        "alg none",
        "HS256 with the public key",
        "expired",
        "tampered payload",
        "unknown kid",
        "signed by another key with the same kid",
        "garbage",
    ],
)
async def test_forged_tokens_are_refused(
    gateway: httpx.AsyncClient, forged: dict[str, str], case: str
) -> None:
    answer = await gateway.get("/api/v1/auth/me", headers=bearer(forged[case]))
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith("Bearer")


async def test_own_key_but_wrong_audience_issuer_or_expiry_is_refused(
    gateway: httpx.AsyncClient,
) -> None:
    keys = gateway._transport.app.state.keys  # type: ignore[attr-defined]
    valid = _segments(await token(gateway, ADMIN_EMAIL, ADMIN_PASSWORD))[1]
    now = int(time.time())
    for change in (
        {"aud": "another-api"},
        {"iss": "http://evil.example"},
        {"exp": now - 120},
        {"nbf": now + 600},
    ):
        forged = await keys.sign({**valid, **change})
        answer = await gateway.get("/api/v1/auth/me", headers=bearer(forged))
        assert answer.status_code == 401, change
    assert (
        await gateway.get("/api/v1/auth/me", headers=bearer(await keys.sign(valid)))
    ).status_code == 200


async def test_no_token_or_wrong_scheme_is_401(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/api/v1/auth/me")).status_code == 401
    basic = await gateway.get("/api/v1/auth/me", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401


async def test_me_describes_the_user(gateway: httpx.AsyncClient) -> None:
    me = (await gateway.get("/api/v1/auth/me", headers=await admin_headers(gateway))).json()
    assert me["email"] == ADMIN_EMAIL
    assert me["kind"] == "user"
    assert me["roles"] == ["platform_admin"]  # held alone: it works on no one's data
    assert me["organization"]["name"] == "Platform administration"
