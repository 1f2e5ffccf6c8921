"""A real Redis for the rate-limit tests: ``PONTE_TEST_REDIS_URL``, else the machine's own
(``redis://127.0.0.1:6379/0``). Each test gets a key prefix of its own and its keys are deleted
afterwards, so runs in parallel and other users of that Redis are left alone.

Without a Redis the tests that need one are skipped with the reason, unless
``PONTE_TEST_REDIS_URL`` is set: then a Redis that does not answer is a failure.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

REDIS_URL = os.environ.get("PONTE_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


@dataclass
class RedisKeys:
    url: str
    prefix: str
    client: aioredis.Redis

    async def keys(self) -> list[str]:
        found = [key.decode() async for key in self.client.scan_iter(match=f"{self.prefix}*")]
        return sorted(found)


@contextlib.asynccontextmanager
async def redis_namespace() -> AsyncIterator[RedisKeys]:
    """A prefix of one's own in the test Redis, emptied on exit (skips when there is none)."""
    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        await client.aclose()
        if os.environ.get("PONTE_TEST_REDIS_URL"):
            pytest.fail(f"PONTE_TEST_REDIS_URL does not answer: {error}")
        pytest.skip(f"no Redis at {REDIS_URL} (set PONTE_TEST_REDIS_URL): {error}")
    keys = RedisKeys(REDIS_URL, f"ponte-test:{uuid.uuid4().hex}:", client)
    try:
        yield keys
    finally:
        leftover = await keys.keys()
        if leftover:
            await client.delete(*leftover)
        await client.aclose()
