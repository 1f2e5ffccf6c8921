"""Failed sign-ins are slowed down per account at an address, per address, and (a higher
threshold) per account (429 + Retry-After), so that an attacker slows only themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from services.gateway.domain.throttling import ThrottlePolicy, retry_after_seconds
from services.gateway.service.auth import throttle_keys
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, gateway_settings
from tests.support import serve, truncate

ATTACKER, OWNER, ELSEWHERE = "198.51.100.66", "203.0.113.10", "192.0.2.44"


@pytest.fixture
async def strict_gateway(gateway_database: str) -> AsyncIterator[httpx.AsyncClient]:
    """Three free failures per account at one address, six per address, eight per account."""
    await truncate(gateway_database, metadata)
    settings = gateway_settings(
        gateway_database,
        login_free_attempts_per_account_address=3,
        login_free_attempts_per_address=6,
        login_free_attempts_per_account=8,
        trust_forwarded_for=True,  # the tests' callers name their address (one trusted proxy)
    )
    async with serve(create_app(settings)) as client:
        yield client


async def _login(
    client: httpx.AsyncClient, username: str, password: str, address: str = ATTACKER
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )


async def test_repeated_failures_block_the_account_at_that_address_even_for_the_right_password(
    strict_gateway: httpx.AsyncClient,
) -> None:
    for _ in range(3):
        assert (await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x")).status_code == 400
    blocked = await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    assert blocked.headers["content-type"] == "application/problem+json"


async def test_an_attackers_failures_elsewhere_do_not_lock_the_owner_out(
    strict_gateway: httpx.AsyncClient,
) -> None:
    for _ in range(3):
        assert (await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x")).status_code == 400
    assert (await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x")).status_code == 429
    # The attacker's address is blocked for this account; the owner, elsewhere, is not.
    owner = await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD, OWNER)
    assert owner.status_code == 200
    assert "access_token" in owner.json()


async def test_an_address_is_blocked_when_many_accounts_are_tried_from_it(
    strict_gateway: httpx.AsyncClient,
) -> None:
    for attempt in range(6):
        answer = await _login(strict_gateway, f"guess{attempt}@ponte.test", "wrong-password-x")
        assert answer.status_code == 400
    assert (await _login(strict_gateway, "another@ponte.test", "wrong-password-x")).status_code == (
        429
    )
    # Even the right password of an account it never tried waits: the address is the guesser.
    assert (await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 429
    # Another address is not slowed by it.
    elsewhere = await _login(strict_gateway, "another@ponte.test", "wrong-password-x", ELSEWHERE)
    assert elsewhere.status_code == 400
    assert (await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD, OWNER)).status_code == 200


async def test_the_account_wide_brake_holds_at_its_higher_threshold(
    strict_gateway: httpx.AsyncClient,
) -> None:
    """Failures spread over many addresses (two each, under the per-address thresholds)."""
    for n in range(3):  # 6 failures, under 8: the owner signs in (and clears the account's)
        for _ in range(2):
            answer = await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x", f"10.0.1.{n}")
            assert answer.status_code == 400
    assert (await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD, OWNER)).status_code == 200
    for n in range(4):  # 8 failures: the account waits, wherever from
        for _ in range(2):
            answer = await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x", f"10.0.2.{n}")
            assert answer.status_code == 400
    braked = await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD, OWNER)
    assert braked.status_code == 429
    assert 1 <= int(braked.headers["retry-after"]) <= 60  # the brake's cap, not the lockout's


async def test_success_clears_the_owners_counters(strict_gateway: httpx.AsyncClient) -> None:
    for _ in range(2):
        await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x")
    assert (await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 200
    for _ in range(2):
        assert (await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x")).status_code == 400
    assert (await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 200


async def test_forged_forwarded_for_values_never_buy_a_fresh_counter(
    strict_gateway: httpx.AsyncClient,
) -> None:
    """What the caller writes left of the proxy's entry is not their address."""
    for n in range(3):
        forged = f"10.9.8.{n}, {ATTACKER}"
        answer = await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x", forged)
        assert answer.status_code == 400
    blocked = await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x", f"10.9.8.9, {ATTACKER}")
    assert blocked.status_code == 429


def test_throttle_keys_tell_the_account_at_an_address_from_the_account_and_the_address() -> None:
    here = throttle_keys(" Someone@Example.org ", ATTACKER)
    there = throttle_keys("someone@example.org", OWNER)
    assert here[0] != there[0]  # the account at each address
    assert here[2] == there[2] == "account:someone@example.org"
    assert here[1] == f"address:{ATTACKER}"
    long_one = throttle_keys("x" * 320 + "@example.org", "2001:db8::1")
    assert max(len(key) for key in long_one[:2]) <= 300


def test_policy_doubles_the_block_up_to_the_cap() -> None:
    policy = ThrottlePolicy(
        free_attempts=5, window=timedelta(minutes=15), max_block=timedelta(seconds=60)
    )
    blocks = [policy.block_after(failures).total_seconds() for failures in range(3, 14)]
    assert blocks == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_retry_after_rounds_up() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds(None, now) == 0
    assert retry_after_seconds(now - timedelta(seconds=1), now) == 0
    assert retry_after_seconds(now + timedelta(milliseconds=200), now) == 1
    assert retry_after_seconds(now + timedelta(seconds=2.5), now) == 3
    assert retry_after_seconds(now + timedelta(seconds=4), now) == 4
