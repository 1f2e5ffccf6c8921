"""Failed logins are slowed down per account and per address (429 + Retry-After)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from services.gateway.domain.throttling import ThrottlePolicy, retry_after_seconds
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, gateway_settings
from tests.support import serve, truncate


@pytest.fixture
async def strict_gateway(gateway_database: str) -> AsyncIterator[httpx.AsyncClient]:
    await truncate(gateway_database, metadata)
    settings = gateway_settings(
        gateway_database, login_free_attempts_per_account=3, login_free_attempts_per_address=6
    )
    async with serve(create_app(settings)) as client:
        yield client


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )


async def test_account_is_blocked_after_repeated_failures_even_for_the_right_password(
    strict_gateway: httpx.AsyncClient,
) -> None:
    for _ in range(3):
        assert (await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x")).status_code == 400
    blocked = await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    assert blocked.headers["content-type"] == "application/problem+json"


async def test_address_is_blocked_when_many_accounts_are_tried(
    strict_gateway: httpx.AsyncClient,
) -> None:
    for attempt in range(6):
        answer = await _login(strict_gateway, f"guess{attempt}@ponte.test", "wrong-password-x")
        assert answer.status_code == 400
    answer = await _login(strict_gateway, "another@ponte.test", "wrong-password-x")
    assert answer.status_code == 429


async def test_success_clears_the_account_counter(strict_gateway: httpx.AsyncClient) -> None:
    for _ in range(2):
        await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x")
    assert (await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 200
    for _ in range(2):
        assert (await _login(strict_gateway, ADMIN_EMAIL, "wrong-password-x")).status_code == 400
    assert (await _login(strict_gateway, ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 200


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
