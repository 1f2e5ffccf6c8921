"""Where verification keys come from: a JWKS URL (cached, refetched on an unknown kid) or a fixed
set (tests, and the gateway, which reads its own keys)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx

from shared.auth.tokens import SUPPORTED_ALGORITHMS, Key, TokenError, construct_key
from shared.logging import get_logger

_log = get_logger("ponte.auth")


class KeySource(Protocol):
    async def key_for(self, kid: str, algorithm: str) -> Key | None:
        """The key with this id for this algorithm, or None when there is none."""


def keys_from_jwks(document: Mapping[str, Any]) -> dict[tuple[str, str], Key]:
    keys: dict[tuple[str, str], Key] = {}
    for entry in document.get("keys", ()):
        if not isinstance(entry, Mapping):
            continue
        kid, algorithm = entry.get("kid"), entry.get("alg")
        if entry.get("use", "sig") != "sig" or not isinstance(kid, str):
            continue
        if algorithm is None:
            algorithm = {"EC": "ES256", "RSA": "RS256"}.get(str(entry.get("kty")))
        if algorithm not in SUPPORTED_ALGORITHMS:
            continue
        try:
            keys[(kid, algorithm)] = construct_key(entry, algorithm)
        except TokenError:
            _log.warning("jwks_key_skipped", kid=kid)
    return keys


class StaticKeySource:
    def __init__(self, jwks: Mapping[str, Any]) -> None:
        self._keys = keys_from_jwks(jwks)

    async def key_for(self, kid: str, algorithm: str) -> Key | None:
        return self._keys.get((kid, algorithm))


class JwksUnavailable(Exception):
    """The JWKS could not be fetched, so no token can be verified right now."""


class JwksKeySource:
    """Keys from a JWKS URL. An unknown kid triggers a refetch (that is how a rotated key is
    picked up), at most once per ``min_refetch_seconds`` so random kids cannot flood the issuer."""

    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient,
        *,
        max_age_seconds: float = 300.0,
        min_refetch_seconds: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._monotonic = monotonic  # a test's clock: the throttle is about time, not load
        self._client = client
        self._max_age = max_age_seconds
        self._min_refetch = min_refetch_seconds
        self._keys: dict[tuple[str, str], Key] = {}
        self._fetched_at = float("-inf")
        self._attempted_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str, algorithm: str) -> Key | None:
        now = self._monotonic()
        key = self._keys.get((kid, algorithm))
        if key is not None and now - self._fetched_at < self._max_age:
            return key
        # An unknown kid or a stale set: refetch, unless we just tried (then serve what we have);
        # a fetch already under way is waited for, not skipped.
        if now - self._attempted_at >= self._min_refetch or self._lock.locked():
            await self._refresh()
        elif not self._keys:
            raise JwksUnavailable(self.url)
        return self._keys.get((kid, algorithm))

    async def _refresh(self) -> None:
        async with self._lock:
            if self._monotonic() - self._attempted_at < self._min_refetch and self._keys:
                return  # another request refreshed while we waited
            self._attempted_at = self._monotonic()
            try:
                response = await self._client.get(self.url, timeout=5.0)
                response.raise_for_status()
                self._keys = keys_from_jwks(response.json())
                self._fetched_at = self._monotonic()
            except (httpx.HTTPError, ValueError) as error:
                _log.warning("jwks_fetch_failed", url=self.url, error=type(error).__name__)
                if not self._keys:
                    raise JwksUnavailable(self.url) from error
