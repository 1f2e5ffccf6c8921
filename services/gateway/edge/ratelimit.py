"""Request-rate limits at the gateway's edge: per client, per address, and stricter per address on
the token endpoint; over the limit the answer is a 429 problem with ``Retry-After``.

Each limit is a rate per minute that also allows a burst of as many requests at once, enforced by
GCRA (the generic cell rate algorithm, a token bucket kept as one number per key: the theoretical
arrival time of the next request). A request names up to three keys:

* the client: the token's subject when the bearer token is valid, else the caller's address
  (behind trusted proxies, the ``X-Forwarded-For`` entry they added: ``domain.forwarded``);
* the address, for every request (several clients may share one, behind a NAT);
* on ``/api/v1/auth/token`` and ``/auth/activate``, the address again under a lower rate.

It is admitted only if every key admits it, and only then counted against each, so a refused
request costs a client nothing. The state is in Redis (``PONTE_REDIS_URL``), shared by every
gateway replica, checked and updated by one Lua script in one round trip; else in this process's
memory, where a call never awaits between reading and writing, so the event loop alone makes it
atomic and no lock is needed.

If Redis cannot be reached, each replica counts in its own memory until Redis answers again
(retried every few seconds), with a warning: limits are then per replica, N times looser with N
replicas, instead of either refusing every request (an outage of a counter taking the whole API
down) or none (no protection at all while it lasts). The failed sign-in throttle, in PostgreSQL,
is unaffected.

``/healthz``, ``/readyz`` and ``/metrics`` are not limited: probes and scrapers call them often
from one address, and they are not the API. Nor is ``/internal/*``: the services' own deliveries
(events that become webhooks), authenticated by the internal token, which must not queue behind
a limit meant for clients.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.domain.forwarded import ProxyTrust
from services.gateway.settings import GatewaySettings
from shared.auth.headers import bearer
from shared.auth.tokens import TokenError
from shared.auth.verifier import TokenVerifier
from shared.errors import TooManyRequests
from shared.logging import get_logger
from shared.middleware import send_problem

WINDOW_SECONDS = 60.0
_WINDOW_MICROSECONDS = round(WINDOW_SECONDS * 1_000_000)
# Where credentials are guessed: sign-in and a person's activation code.
CREDENTIAL_PATHS = frozenset({"/api/v1/auth/token", "/api/v1/auth/activate"})
_EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_REDIS_RETRY_SECONDS = 5.0
_log = get_logger("ponte.gateway.ratelimit")


class Quota(NamedTuple):
    """One key and its rate: ``interval`` seconds between requests, ``WINDOW_SECONDS`` of burst."""

    key: str
    interval: float


class RateStore(Protocol):
    async def acquire(self, quotas: Sequence[Quota]) -> float:
        """0 when every quota admits one more request (then counted), else the seconds to wait."""

    async def close(self) -> None: ...


class MemoryStore:
    """This process's limits: a dict of arrival times, swept of idle keys as it grows."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._arrivals: dict[str, int] = {}  # microseconds of the clock
        self._sweep_at = 1024

    async def acquire(self, quotas: Sequence[Quota]) -> float:
        """GCRA: a key admits a request while its next arrival time (``now`` when idle or new)
        is at most a window ahead. The same steps as the Redis script below, in whole
        microseconds as there: in float seconds, ``now + 60 - now - 60`` is a little above 0 for
        some clock readings, which refused the first request of a one-a-minute budget."""
        now = round(self._clock() * 1_000_000)
        arrivals = self._arrivals
        wait = 0
        following = []
        for key, interval in quotas:
            arrival = arrivals.get(key, now)
            after = (arrival if arrival > now else now) + _microseconds(interval)
            wait = max(wait, after - now - _WINDOW_MICROSECONDS)
            following.append(after)
        if wait > 0:
            return wait / 1_000_000
        for quota, after in zip(quotas, following, strict=True):
            arrivals[quota.key] = after
        if len(arrivals) >= self._sweep_at:  # amortised: at most once per doubling
            self._arrivals = {key: value for key, value in arrivals.items() if value > now}
            self._sweep_at = max(1024, 2 * len(self._arrivals))
        return 0.0

    def __len__(self) -> int:
        return len(self._arrivals)

    async def close(self) -> None:
        self._arrivals.clear()


# GCRA over KEYS with ARGV = the window, then one interval per key, all in microseconds, against
# Redis's clock (one clock for every replica). Returns 0 when admitted, else the wait. Times are
# written with %d: Lua's default number format keeps 14 digits, too few for microseconds.
_GCRA_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local window = tonumber(ARGV[1])
local wait = 0
local following = {}
for i, key in ipairs(KEYS) do
  local arrival = tonumber(redis.call('GET', key) or '0')
  if arrival < now then arrival = now end
  following[i] = arrival + tonumber(ARGV[i + 1])
  wait = math.max(wait, following[i] - now - window)
end
if wait > 0 then return math.ceil(wait) end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, string.format('%d', following[i]),
    'PX', math.max(1, math.ceil((following[i] - now) / 1000)))
end
return 0
"""


class RedisStore:
    """Limits shared by every replica, in Redis; this process's memory while Redis is away."""

    def __init__(self, client: aioredis.Redis, *, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_GCRA_SCRIPT)
        self._window = str(_WINDOW_MICROSECONDS)
        self._fallback = MemoryStore()
        self._unavailable_until = 0.0
        self._failing = False

    async def acquire(self, quotas: Sequence[Quota]) -> float:
        if self._failing and time.monotonic() < self._unavailable_until:
            return await self._fallback.acquire(quotas)
        try:
            wait = await self._script(
                keys=[self._prefix + quota.key for quota in quotas],
                args=[self._window, *(str(_microseconds(quota.interval)) for quota in quotas)],
            )
        except (TimeoutError, RedisError, OSError) as error:
            if not self._failing:
                _log.warning(
                    "rate_limit_store_unavailable",
                    error=type(error).__name__,
                    fallback="memory of this replica",
                )
            self._failing = True
            self._unavailable_until = time.monotonic() + _REDIS_RETRY_SECONDS
            return await self._fallback.acquire(quotas)
        if self._failing:
            self._failing = False
            _log.info("rate_limit_store_recovered")
        return int(wait) / 1_000_000

    async def close(self) -> None:
        await self._client.aclose()


def _microseconds(interval: float) -> int:
    return max(1, round(interval * 1_000_000))


def rate_store(settings: GatewaySettings) -> RateStore:
    """Redis when ``PONTE_REDIS_URL`` is set, else this process's memory."""
    if not settings.redis_url:
        return MemoryStore()
    timeout = settings.redis_timeout_seconds
    pool = aioredis.BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=64,
        timeout=timeout,  # waiting for a free connection
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
    )
    return RedisStore(aioredis.Redis(connection_pool=pool), prefix=settings.rate_limit_key_prefix)


def proxy_trust(settings: GatewaySettings) -> ProxyTrust:
    """Which ``X-Forwarded-For`` entry is the caller's (``domain.forwarded``)."""
    return ProxyTrust(
        trust_forwarded_for=settings.trust_forwarded_for,
        hops=settings.trusted_proxy_hops,
        networks=tuple(settings.trusted_proxies),
    )


def address_bucket(address: str) -> str:
    """IPv6 callers are counted per /64, the block one subscriber usually gets: counting each
    address alone would let one device take 2^64 fresh budgets."""
    if ":" not in address:
        return address
    try:
        network = ipaddress.IPv6Network(f"{address}/64", strict=False)
    except ValueError:
        return address
    return str(network)


@dataclass(frozen=True)
class RatePolicy:
    """Which quotas a request is counted against; an interval of 0 switches a limit off."""

    client_interval: float
    address_interval: float
    token_interval: float

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> RatePolicy:
        def interval(per_minute: int) -> float:
            return WINDOW_SECONDS / per_minute if per_minute else 0.0

        return cls(
            client_interval=interval(settings.rate_limit_per_minute),
            address_interval=interval(settings.rate_limit_address_per_minute),
            token_interval=interval(settings.rate_limit_token_per_minute),
        )

    def quotas(self, path: str, address: str, subject: str | None) -> list[Quota]:
        bucket = address_bucket(address)
        quotas = []
        if self.client_interval:
            key = "c:" + subject if subject else "ca:" + bucket
            quotas.append(Quota(key, self.client_interval))
        if self.address_interval:
            quotas.append(Quota("a:" + bucket, self.address_interval))
        if self.token_interval and path in CREDENTIAL_PATHS:
            quotas.append(Quota("t:" + bucket, self.token_interval))
        return quotas


def _exempt(path: str) -> bool:
    return path in _EXEMPT_PATHS or path.startswith("/internal/")


class RateLimiter:
    """Pure ASGI, in front of the proxy and the gateway's own routes: one store call a request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: RateStore,
        policy: RatePolicy,
        verifier: Callable[[], TokenVerifier],
        proxies: ProxyTrust,
    ) -> None:
        self.app = app
        self.store = store
        self.policy = policy
        self.verifier = verifier
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        authorization: bytes | None = None
        forwarded_for: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"x-forwarded-for":  # several lines are one list
                forwarded_for = value if forwarded_for is None else forwarded_for + b", " + value
        address = self.proxies.client_address(
            scope.get("client"),
            forwarded_for.decode("latin-1") if forwarded_for is not None else None,
        )
        quotas = self.policy.quotas(scope["path"], address, await self._subject(authorization))
        wait = await self.store.acquire(quotas) if quotas else 0.0
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        scope["ponte.route_label"] = "rate_limited"
        await send_problem(
            send,
            429,
            scope["state"]["request_id"],
            slug=TooManyRequests.slug,
            title=TooManyRequests.title,
            detail=f"Too many requests; retry in {retry_after} s.",
            extra_headers=[(b"retry-after", str(retry_after).encode("ascii"))],
        )

    async def _subject(self, authorization: bytes | None) -> str | None:
        """The subject of a valid bearer token (verifications are cached), else None: an invalid
        token is counted by address, and the proxy or the route answers 401."""
        token = bearer(authorization)
        if token is None:
            return None
        try:
            principal = await self.verifier().verify(token)
        except TokenError:
            return None
        return principal.subject
