"""Refresh-token chains and failed-login counters."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db import revocations
from services.gateway.db.models import LoginThrottle, RefreshToken
from services.gateway.domain.throttling import ThrottlePolicy


def digest(secret: str) -> bytes:
    """Refresh tokens and client secrets are long random strings: a plain SHA-256 is enough to
    store them (no brute force on 256 bits), and lets us look them up by hash."""
    return hashlib.sha256(secret.encode()).digest()


async def store_refresh_token(
    session: AsyncSession,
    *,
    token: str,
    user_id: uuid.UUID,
    family_id: uuid.UUID,
    now: datetime,
    ttl: timedelta,
) -> None:
    session.add(
        RefreshToken(
            family_id=family_id,
            token_hash=digest(token),
            user_id=user_id,
            issued_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()


async def refresh_token_for_update(session: AsyncSession, token: str) -> RefreshToken | None:
    row: RefreshToken | None = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == digest(token)).with_for_update()
    )
    return row


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_user_tokens(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """Sign the user out everywhere: refresh tokens revoked, and access tokens refused from the
    next request on (``revocations``; after the refresh tokens' rows are locked, so that a token
    a concurrent refresh minted is older than the revocation)."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await revocations.revoke(session, str(user_id))


async def blocked_until(session: AsyncSession, keys: list[str]) -> datetime | None:
    """The latest block among ``keys`` (account and address), or None."""
    value: datetime | None = await session.scalar(
        select(LoginThrottle.blocked_until)
        .where(LoginThrottle.key.in_(keys), LoginThrottle.blocked_until.is_not(None))
        .order_by(LoginThrottle.blocked_until.desc())
        .limit(1)
    )
    return value


async def record_failure(
    session: AsyncSession, key: str, policy: ThrottlePolicy, now: datetime
) -> None:
    """Count one more failure for ``key`` (atomically) and block it if the policy says so."""
    statement = (
        insert(LoginThrottle)
        .values(key=key, failures=1, first_failure_at=now)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={
                "failures": LoginThrottle.failures + 1,
            },
        )
        .returning(LoginThrottle.failures, LoginThrottle.first_failure_at)
    )
    failures, first_failure_at = (await session.execute(statement)).one()
    if policy.restarts_window(first_failure_at, now):
        failures = 1
        first_failure_at = now
    block = policy.block_after(failures)
    await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(
            failures=failures,
            first_failure_at=first_failure_at,
            blocked_until=now + block if block else None,
        )
    )


async def clear_failures(session: AsyncSession, key: str) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


async def sessions_of(session: AsyncSession, user_ids: list[uuid.UUID]) -> Sequence[RefreshToken]:
    """The accounts' sign-ins (refresh tokens), oldest first."""
    if not user_ids:
        return []
    return (
        await session.scalars(
            select(RefreshToken)
            .where(RefreshToken.user_id.in_(user_ids))
            .order_by(RefreshToken.issued_at, RefreshToken.id)
        )
    ).all()


async def throttles_of(session: AsyncSession, keys: list[str]) -> Sequence[LoginThrottle]:
    return (await session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))).all()
