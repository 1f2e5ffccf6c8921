"""Fixtures of the gateway tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.gateway.redis_keys import RedisKeys, redis_namespace


@pytest.fixture
async def redis_keys() -> AsyncIterator[RedisKeys]:
    """A key prefix of the test's own in a real Redis, its keys deleted afterwards."""
    async with redis_namespace() as keys:
        yield keys
