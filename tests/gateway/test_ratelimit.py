"""Request-rate limits: the algorithm on a fake clock, the Redis store for real (shared by two
replicas, atomic, with expiring keys, and what happens when Redis is away), and the gateway's
answers: 429 problem+json with Retry-After, per client, per address, stricter on sign-in."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from services.gateway.edge.ratelimit import (
    MemoryStore,
    Quota,
    RatePolicy,
    RedisStore,
    address_bucket,
)
from shared.errors import problem_type
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, gateway_settings
from tests.gateway.helpers import bearer, create_user, token
from tests.gateway.redis_keys import RedisKeys
from tests.support import serve, truncate
from tools.processes import free_port

SIGN_IN = {"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def per_minute(key: str, limit: int) -> Quota:
    return Quota(key, 60.0 / limit)


async def test_a_burst_of_the_limit_passes_then_one_request_per_interval() -> None:
    clock = Clock()
    store = MemoryStore(clock)
    quota = [per_minute("c:someone", 6)]  # one every 10 s, six at once
    assert [await store.acquire(quota) for _ in range(6)] == [0.0] * 6
    assert await store.acquire(quota) == pytest.approx(10.0)
    clock.now += 9.5
    assert await store.acquire(quota) == pytest.approx(0.5)
    clock.now += 0.5
    assert await store.acquire(quota) == 0.0
    assert await store.acquire(quota) == pytest.approx(10.0)
    clock.now += 60
    assert [await store.acquire(quota) for _ in range(6)] == [0.0] * 6  # a full burst again


async def test_a_one_a_minute_budget_admits_its_first_request_whatever_the_clock_reads() -> None:
    # In float seconds, 5.93 + 60 - 5.93 - 60 is a little above 0: the first request was refused.
    clock = Clock()
    clock.now = 5.93
    store = MemoryStore(clock)
    assert await store.acquire([per_minute("c:someone", 1)]) == 0.0
    assert await store.acquire([per_minute("c:someone", 1)]) == pytest.approx(60.0)


async def test_a_refused_request_is_counted_against_no_quota() -> None:
    store = MemoryStore(Clock())
    strict, loose = per_minute("t:1.2.3.4", 1), per_minute("a:1.2.3.4", 5)
    assert await store.acquire([strict, loose]) == 0.0
    for _ in range(3):
        assert await store.acquire([strict, loose]) > 0
    # The refusals cost the address nothing: four of its five remain.
    assert [await store.acquire([loose]) for _ in range(4)] == [0.0] * 4
    assert await store.acquire([loose]) > 0


async def test_idle_keys_are_forgotten_as_the_store_grows() -> None:
    clock = Clock()
    store = MemoryStore(clock)
    for index in range(1500):
        await store.acquire([per_minute(f"a:{index}", 100)])
    clock.now += 61  # every key is idle again
    for index in range(600):
        await store.acquire([per_minute(f"b:{index}", 100)])
    assert len(store) < 1500


@pytest.mark.parametrize(
    ("address", "bucket"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::ffff", "2001:db8:1:2::/64"),
        ("not an address", "not an address"),
    ],
)
def test_ipv6_callers_are_counted_per_64_block(address: str, bucket: str) -> None:
    assert address_bucket(address) == bucket


def test_the_token_endpoint_adds_its_own_quota_and_zero_switches_a_limit_off() -> None:
    policy = RatePolicy(client_interval=0.05, address_interval=0.01, token_interval=1.0)
    assert [q.key for q in policy.quotas("/api/v1/users", "1.2.3.4", "user-1")] == [
        "c:user-1",
        "a:1.2.3.4",
    ]
    assert [q.key for q in policy.quotas("/api/v1/auth/token", "1.2.3.4", None)] == [
        "ca:1.2.3.4",
        "a:1.2.3.4",
        "t:1.2.3.4",
    ]
    off = RatePolicy(client_interval=0.0, address_interval=0.0, token_interval=1.0)
    assert off.quotas("/api/v1/users", "1.2.3.4", None) == []


# --- Redis, for real ---------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def redis_store(url: str, prefix: str) -> AsyncIterator[RedisStore]:
    store = RedisStore(aioredis.Redis.from_url(url, socket_timeout=1), prefix=prefix)
    try:
        yield store
    finally:
        await store.close()


async def test_replicas_share_their_limits_in_redis(redis_keys: RedisKeys) -> None:
    quota = [per_minute("t:198.51.100.4", 4), per_minute("a:198.51.100.4", 100)]
    async with (
        redis_store(redis_keys.url, redis_keys.prefix) as first,
        redis_store(redis_keys.url, redis_keys.prefix) as second,
    ):
        assert [await first.acquire(quota) for _ in range(2)] == [0.0, 0.0]
        assert [await second.acquire(quota) for _ in range(2)] == [0.0, 0.0]
        wait = await first.acquire(quota)
        assert 14.0 < wait <= 15.0  # 60 s / 4: one more request in at most 15 s
        assert await second.acquire(quota) > 0
    address, endpoint = await redis_keys.keys()
    assert (address, endpoint) == (
        f"{redis_keys.prefix}a:198.51.100.4",
        f"{redis_keys.prefix}t:198.51.100.4",
    )
    # A key lives as long as its requests weigh: 4 x 15 s at sign-in, a full minute; and
    # 4 x 0.6 s for the address, which the two refused requests would have made 3.6 s.
    assert 58_000 < await redis_keys.client.pttl(endpoint) <= 60_000
    assert 1_400 < await redis_keys.client.pttl(address) <= 2_400


async def test_concurrent_requests_never_overshoot_in_redis(redis_keys: RedisKeys) -> None:
    import asyncio

    quota = [per_minute("c:busy-client", 10)]
    async with redis_store(redis_keys.url, redis_keys.prefix) as store:
        waits = await asyncio.gather(*(store.acquire(quota) for _ in range(50)))
    assert sum(1 for wait in waits if wait == 0) == 10


async def test_without_redis_each_replica_counts_alone_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from shared.logging import configure_logging

    configure_logging("test", fmt="json")
    quota = [per_minute("t:192.0.2.1", 2)]
    async with redis_store(f"redis://127.0.0.1:{free_port()}/0", "unused:") as store:
        assert [await store.acquire(quota) for _ in range(2)] == [0.0, 0.0]
        assert await store.acquire(quota) > 0  # still limited, in this process's memory
    logged = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    warnings = [line for line in logged if line["event"] == "rate_limit_store_unavailable"]
    assert len(warnings) == 1  # once per outage, not once per request
    assert warnings[0]["level"] == "warning"


# --- through the gateway -----------------------------------------------------------------------


@contextlib.asynccontextmanager
async def limited_gateways(
    database: str, count: int = 1, **overrides: Any
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` gateway replicas on one emptied database, with the given settings."""
    await truncate(database, metadata)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                serve(create_app(gateway_settings(database, **overrides)))
            )
            for _ in range(count)
        ]
        yield clients


def assert_rate_limited(answer: httpx.Response, longest_wait: float) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == problem_type("too-many-requests")
    assert problem["status"] == 429
    assert problem["request_id"] == answer.headers["x-request-id"]
    assert 1 <= int(answer.headers["retry-after"]) <= longest_wait


async def test_a_burst_on_the_token_endpoint_gets_429_with_retry_after(
    gateway_database: str,
) -> None:
    async with limited_gateways(gateway_database, rate_limit_token_per_minute=3) as [gateway]:
        for _ in range(3):
            assert (await gateway.post("/api/v1/auth/token", data=SIGN_IN)).status_code == 200
        assert_rate_limited(await gateway.post("/api/v1/auth/token", data=SIGN_IN), 20)
        # Only sign-in is that strict: the same address still reaches the rest of the API.
        assert (await gateway.get("/.well-known/jwks.json")).status_code == 200


@pytest.mark.parametrize("trusted", [True, False])
async def test_addresses_are_told_apart_by_x_forwarded_for_only_behind_a_trusted_proxy(
    gateway_database: str, trusted: bool
) -> None:
    async with limited_gateways(
        gateway_database, rate_limit_token_per_minute=1, trust_forwarded_for=trusted
    ) as [gateway]:

        def sign_in(address: str) -> Any:
            return gateway.post(
                "/api/v1/auth/token", data=SIGN_IN, headers={"X-Forwarded-For": address}
            )

        assert (await sign_in("203.0.113.1")).status_code == 200
        assert_rate_limited(await sign_in("203.0.113.1"), 60)
        other_address = await sign_in("203.0.113.2")
        assert other_address.status_code == (200 if trusted else 429)
        # What the caller wrote before the proxy's hop buys no fresh budget, on one line or two.
        assert_rate_limited(await sign_in("198.51.100.7, 203.0.113.2"), 60)
        two_lines = await gateway.post(
            "/api/v1/auth/token",
            data=SIGN_IN,
            headers=[("X-Forwarded-For", "198.51.100.8"), ("X-Forwarded-For", "203.0.113.1")],
        )
        assert_rate_limited(two_lines, 60)


async def test_behind_two_proxies_the_client_is_the_second_entry_from_the_right(
    gateway_database: str,
) -> None:
    """A load balancer and an Ingress: each appends one entry; the caller's own come first."""
    async with limited_gateways(
        gateway_database,
        rate_limit_token_per_minute=1,
        trust_forwarded_for=True,
        trusted_proxy_hops=2,
    ) as [gateway]:

        def sign_in(forwarded_for: str) -> Any:
            return gateway.post(
                "/api/v1/auth/token", data=SIGN_IN, headers={"X-Forwarded-For": forwarded_for}
            )

        assert (await sign_in("203.0.113.1, 10.0.0.5")).status_code == 200
        # The load balancer's own address (the last entry) differs; the client is the same.
        assert_rate_limited(await sign_in("203.0.113.1, 10.0.0.6"), 60)
        for forged in ("198.51.100.1", "198.51.100.2, 198.51.100.3"):
            assert_rate_limited(await sign_in(f"{forged}, 203.0.113.1, 10.0.0.5"), 60)
        assert (await sign_in("203.0.113.2, 10.0.0.5")).status_code == 200


async def test_behind_trusted_networks_forged_entries_never_change_the_bucket(
    gateway_database: str,
) -> None:
    """The tests' peer is 127.0.0.1: a trusted proxy here, with the cluster's 10.0.0.0/8."""
    async with limited_gateways(
        gateway_database,
        rate_limit_token_per_minute=1,
        trust_forwarded_for=True,
        trusted_proxies=["127.0.0.0/8", "10.0.0.0/8"],
    ) as [gateway]:

        def sign_in(forwarded_for: str) -> Any:
            return gateway.post(
                "/api/v1/auth/token", data=SIGN_IN, headers={"X-Forwarded-For": forwarded_for}
            )

        assert (await sign_in("203.0.113.1")).status_code == 200
        for forwarded_for in (
            "203.0.113.1, 10.1.2.3",  # one more proxy of the cluster's: skipped
            "198.51.100.9, 203.0.113.1",  # the caller's own entry: never reached
            "10.0.0.1, 203.0.113.1, 10.1.2.3",  # a forged "proxy" left of the client
        ):
            assert_rate_limited(await sign_in(forwarded_for), 60)
        assert (await sign_in("203.0.113.2, 10.1.2.3")).status_code == 200


async def test_each_client_has_its_own_budget(gateway_database: str) -> None:
    async with limited_gateways(gateway_database, rate_limit_per_minute=3) as [gateway]:
        admin = bearer(await token(gateway, ADMIN_EMAIL, ADMIN_PASSWORD))  # anonymous: 1
        # A platform admin of its own organisation, who signs in once (anonymous: 2).
        user = await create_user(gateway, admin, None, ["platform_admin"])  # admin: 1
        colleague = bearer(str(user["access_token"]))
        for _ in range(2):  # admin: 2, 3
            assert (await gateway.get("/api/v1/auth/me", headers=admin)).status_code == 200
        assert_rate_limited(await gateway.get("/api/v1/auth/me", headers=admin), 20)
        assert (await gateway.get("/api/v1/auth/me", headers=colleague)).status_code == 200


async def test_an_address_has_a_budget_over_all_its_clients(gateway_database: str) -> None:
    async with limited_gateways(gateway_database, rate_limit_address_per_minute=4) as [gateway]:
        admin = bearer(await token(gateway, ADMIN_EMAIL, ADMIN_PASSWORD))
        for _ in range(3):
            assert (await gateway.get("/api/v1/auth/me", headers=admin)).status_code == 200
        assert_rate_limited(await gateway.get("/api/v1/auth/me"), 15)
        assert_rate_limited(await gateway.get("/api/v1/auth/me", headers=admin), 15)


async def test_invalid_tokens_are_counted_by_address_not_by_token(gateway_database: str) -> None:
    async with limited_gateways(gateway_database, rate_limit_per_minute=2) as [gateway]:

        def garbage() -> dict[str, str]:
            return bearer(uuid.uuid4().hex)

        assert (await gateway.get("/api/v1/auth/me", headers=garbage())).status_code == 401
        assert (await gateway.get("/api/v1/beneficiaries", headers=garbage())).status_code == 401
        assert_rate_limited(await gateway.get("/api/v1/beneficiaries", headers=garbage()), 30)


async def test_proxied_paths_are_limited_before_they_reach_a_service(
    gateway_database: str,
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    async with limited_gateways(gateway_database, rate_limit_per_minute=1, intake_url=down) as [
        gateway
    ]:
        assert (await gateway.get("/api/v1/code-lists/countries")).status_code == 503
        assert_rate_limited(await gateway.get("/api/v1/code-lists/countries"), 60)


async def test_probes_metrics_and_internal_deliveries_are_not_limited(
    gateway_database: str,
) -> None:
    async with limited_gateways(
        gateway_database, rate_limit_per_minute=1, rate_limit_address_per_minute=1
    ) as [gateway]:
        for path in ("/healthz", "/readyz", "/metrics") * 3:
            assert (await gateway.get(path)).status_code == 200
        for _ in range(3):
            delivery = await gateway.post("/internal/events", json={"events": []})
            assert delivery.status_code != 429
        assert (await gateway.get("/api/v1/auth/me")).status_code == 401
        assert_rate_limited(await gateway.get("/api/v1/auth/me"), 60)


async def test_gateway_replicas_share_limits_through_redis(
    gateway_database: str, redis_keys: RedisKeys
) -> None:
    async with limited_gateways(
        gateway_database,
        count=2,
        rate_limit_token_per_minute=3,
        redis_url=redis_keys.url,
        rate_limit_key_prefix=redis_keys.prefix,
    ) as [first, second]:
        sign_in: list[Callable[[], Any]] = [
            lambda: first.post("/api/v1/auth/token", data=SIGN_IN),
            lambda: second.post("/api/v1/auth/token", data=SIGN_IN),
        ]
        for call in (sign_in[0], sign_in[1], sign_in[0]):
            assert (await call()).status_code == 200
        assert_rate_limited(await sign_in[1](), 20)
        assert_rate_limited(await sign_in[0](), 20)
        assert f"{redis_keys.prefix}t:127.0.0.1" in await redis_keys.keys()
