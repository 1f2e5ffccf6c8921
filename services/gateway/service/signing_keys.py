"""Signing keys: generated on first start, rotated without downtime.

Rotation adds a new key that signs from then on; the retired key stays published in the JWKS (and
accepted here) until every token it signed has expired, plus a margin for instances that have not
yet reloaded. Every gateway instance reloads the keys periodically, so rotation on one reaches all.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway.db import repository, signing_keys
from services.gateway.db.models import SigningKey
from shared import clock
from shared.auth.tokens import Key, construct_key, public_jwk, sign
from shared.logging import get_logger

_log = get_logger("ponte.gateway.keys")
_ROTATION_LOCK = 0x504F4E5445
# An unknown kid may be a key another replica just made: reload, but not on every forged token.
_UNKNOWN_KID_RELOAD_SECONDS = 0.25  # advisory lock id: key creation happens once across replicas


def generate_private_key_pem(algorithm: str) -> str:
    private: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if algorithm == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif algorithm == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise ValueError(f"unsupported algorithm {algorithm}")
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    algorithm: str
    private_key_pem: str
    public_jwk: dict[str, Any]
    verifier: Key
    activates_at: datetime
    retires_at: datetime | None


class SigningKeys:
    """The gateway's key ring; also the :class:`KeySource` its own token verifier uses."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        algorithm: str,
        access_token_ttl: timedelta,
        reload_seconds: float,
    ) -> None:
        self._sessions = sessions
        self._algorithm = algorithm
        self._grace = access_token_ttl + timedelta(seconds=2 * reload_seconds + 30)
        self._reload_seconds = reload_seconds
        self._keys: dict[str, LoadedKey] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def ensure_signing_key(self) -> None:
        async with self._sessions() as session, session.begin():
            await repository.advisory_lock(session, _ROTATION_LOCK)
            now = clock.now()
            if await signing_keys.active_kid(session, now) is None:
                self._add_key(session, now)
        await self.reload()

    async def rotate(self) -> str:
        """Retire the current key and start signing with a new one; returns the new kid."""
        async with self._sessions() as session, session.begin():
            await repository.advisory_lock(session, _ROTATION_LOCK)
            now = clock.now()
            await signing_keys.retire_all(session, now)
            kid = self._add_key(session, now)
        await self.reload()
        _log.info("signing_key_rotated", kid=kid)
        return kid

    def _add_key(self, session: AsyncSession, now: datetime) -> str:
        kid = secrets.token_urlsafe(12)
        pem = generate_private_key_pem(self._algorithm)
        session.add(
            SigningKey(
                kid=kid,
                algorithm=self._algorithm,
                private_key_pem=pem,
                public_jwk=public_jwk(pem, self._algorithm, kid),
                activates_at=now,
            )
        )
        return kid

    async def reload(self) -> None:
        now = clock.now()
        async with self._sessions() as session:
            rows = await signing_keys.in_use(session, now - self._grace)
        self._keys = {
            row.kid: LoadedKey(
                kid=row.kid,
                algorithm=row.algorithm,
                private_key_pem=row.private_key_pem,
                public_jwk=row.public_jwk,
                verifier=construct_key(row.public_jwk, row.algorithm),
                activates_at=row.activates_at,
                retires_at=row.retires_at,
            )
            for row in rows
        }
        self._loaded_at = time.monotonic()

    async def _fresh(self) -> None:
        if time.monotonic() - self._loaded_at >= self._reload_seconds:
            async with self._lock:
                if time.monotonic() - self._loaded_at >= self._reload_seconds:
                    await self.reload()

    async def sign(self, claims: dict[str, Any]) -> str:
        await self._fresh()
        now = clock.now()
        candidates = [
            key for key in self._keys.values() if key.retires_at is None and key.activates_at <= now
        ]
        if not candidates:
            raise RuntimeError("no active signing key; the gateway did not start properly")
        key = max(candidates, key=lambda candidate: candidate.activates_at)
        return sign(
            claims, private_key_pem=key.private_key_pem, algorithm=key.algorithm, kid=key.kid
        )

    async def jwks(self) -> dict[str, Any]:
        await self._fresh()
        return {"keys": [key.public_jwk for key in self._keys.values()]}

    async def key_for(self, kid: str, algorithm: str) -> Key | None:
        await self._fresh()
        key = self._keys.get(kid)
        if key is None and time.monotonic() - self._loaded_at > _UNKNOWN_KID_RELOAD_SECONDS:
            await self.reload()  # another replica may have rotated a moment ago
            key = self._keys.get(kid)
        if key is None or key.algorithm != algorithm:
            return None
        return key.verifier
