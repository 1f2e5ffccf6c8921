"""Revoked access tokens: for a subject (a user's or an API client's id, the ``sub`` of its
tokens), the time before which its access tokens no longer count.

Written in the transaction that makes the change (an account deactivated, erased, its password or
roles changed, a new activation; a client revoked), with a ``NOTIFY`` that PostgreSQL delivers at
commit to every gateway replica listening; this process's own list learns it from the commit
itself (``services.gateway.service.revocation``). Declared on the gateway's metadata
(``db/models.py`` imports this module), so its migrations create it like the identity tables.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Final

import asyncpg
from sqlalchemy import DateTime, String, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.db.models import Base

CHANNEL: Final = "ponte_token_revocation"
# session.info: the revocations of the current transaction, applied in memory once it commits.
PENDING_KEY: Final = "ponte.token_revocations"


class TokenRevocation(Base):
    __tablename__ = "token_revocation"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def now_in_milliseconds() -> float:
    """The time our tokens' ``iat`` and a revocation's ``not_before`` are written in: seconds
    with milliseconds, rounded down. A token issued after a revocation (the new phone of an
    activation, the sign-in after a password change, a millisecond later) then counts, one issued
    before it does not."""
    return math.floor(time.time() * 1000) / 1000


async def revoke(session: AsyncSession, subject: str) -> None:
    """End every access token of ``subject`` issued until now, at this transaction's commit.

    The time is taken here, after the caller's statements: ``credentials.revoke_user_tokens``
    has by then waited for a refresh that was minting a token at the same moment."""
    at = now_in_milliseconds()
    statement = insert(TokenRevocation).values(
        subject=subject, not_before=datetime.fromtimestamp(at, UTC)
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TokenRevocation.subject],
            set_={
                "not_before": func.greatest(
                    TokenRevocation.not_before, statement.excluded.not_before
                )
            },
        )
    )
    await session.execute(select(func.pg_notify(CHANNEL, notification(subject, at))))
    session.info.setdefault(PENDING_KEY, []).append((subject, at))


def notification(subject: str, not_before: float) -> str:
    return f"{not_before:.3f} {subject}"


def parse_notification(payload: str) -> tuple[str, float] | None:
    at, _, subject = payload.partition(" ")
    try:
        not_before = float(at)
    except ValueError:
        return None
    if not subject or not math.isfinite(not_before):
        return None
    return subject, not_before


async def since(session: AsyncSession, cutoff: datetime) -> list[tuple[str, float]]:
    """The revocations that may still matter: those after ``cutoff``."""
    rows = await session.execute(
        select(TokenRevocation.subject, TokenRevocation.not_before).where(
            TokenRevocation.not_before > cutoff
        )
    )
    return [(subject, not_before.timestamp()) for subject, not_before in rows]


async def purge(session: AsyncSession, cutoff: datetime) -> None:
    """Forget revocations older than every token they could still stop."""
    await session.execute(delete(TokenRevocation).where(TokenRevocation.not_before <= cutoff))


async def ping(connection: asyncpg.Connection) -> None:
    """Check that the listening connection still answers."""
    await connection.execute("SELECT 1")
