"""Database plumbing: one async engine per service, one session per request.

The session dependency commits when the endpoint returns and rolls back when it raises; repositories
only ``flush()``. Declared with ``scope="function"`` so the commit happens before the response is
sent: a write is acknowledged only once it is durable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from shared import json_codec

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    """Each service's models share one naming convention, so migrations name constraints alike."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def async_url(url: str) -> URL:
    """Accept ``postgresql://`` as users write it and use the asyncpg driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    if parsed.drivername != "postgresql+asyncpg":
        raise ValueError("Ponte runs on PostgreSQL: use a postgresql:// URL")
    return parsed


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        # No pre-ping: it costs a round trip on every checkout. A connection broken by a server
        # restart fails one request, and SQLAlchemy then invalidates the whole pool.
        pool_pre_ping=False,
        pool_recycle=1800,
        # A database error's message quotes the statement's parameters (names, birth dates), and
        # an unhandled one is logged whole: keep them out of it.
        hide_parameters=True,
        # asyncpg caches prepared statements per connection; keep it, it is most of its speed.
        connect_args={"server_settings": {"application_name": "ponte"}},
        json_serializer=json_codec.dumps_text,
        json_deserializer=json_codec.loads,
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: autocommit, so a one-query read is one round trip
    instead of three (BEGIN, the query, COMMIT). Shares the engine's pool."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
    )


async def database_ready(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; /readyz reports it, it must not raise
        return False
    return True


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.read_sessions
    async with factory() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
# For endpoints that never write; several queries in it are not one snapshot.
ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
