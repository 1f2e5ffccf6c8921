"""Statements over the token-signing keys (rotated under an advisory lock, so that replicas
starting together make one key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db.models import SigningKey


async def active_kid(session: AsyncSession, now: datetime) -> str | None:
    kid: str | None = await session.scalar(
        select(SigningKey.kid).where(
            SigningKey.activates_at <= now, SigningKey.retires_at.is_(None)
        )
    )
    return kid


async def retire_all(session: AsyncSession, now: datetime) -> None:
    await session.execute(
        update(SigningKey).where(SigningKey.retires_at.is_(None)).values(retires_at=now)
    )


async def in_use(session: AsyncSession, retired_after: datetime) -> Sequence[SigningKey]:
    """The keys that sign, and those retired after ``retired_after`` (their tokens live on)."""
    return (
        await session.scalars(
            select(SigningKey).where(
                or_(SigningKey.retires_at.is_(None), SigningKey.retires_at > retired_after)
            )
        )
    ).all()
