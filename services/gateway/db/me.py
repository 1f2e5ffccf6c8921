"""Who am I: the caller's organisation and, beside it, their own name, in one indexed query
compiled once (``GET /api/v1/auth/me`` is read at every app start)."""

from __future__ import annotations

import uuid

import asyncpg
from sqlalchemy import Uuid, and_, bindparam, select
from sqlalchemy import null as sql_null
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.db.models import ApiClient, Organization, User
from shared.fastread import CompiledQuery, fetch_row


def _me_query(account: type[User] | type[ApiClient]) -> CompiledQuery:
    """The caller's organisation and, beside it, their own name: one indexed query."""
    name = ApiClient.name if account is ApiClient else User.email
    full_name = sql_null() if account is ApiClient else User.full_name
    return CompiledQuery(
        select(Organization.id, Organization.name, Organization.type, name, full_name)
        .select_from(Organization)
        .outerjoin(
            account,
            and_(
                account.organization_id == Organization.id,
                account.id == bindparam("subject_id", type_=Uuid),
            ),
        )
        .where(Organization.id == bindparam("organization_id", type_=Uuid))
    )


_ME_FOR_USER = _me_query(User)
_ME_FOR_CLIENT = _me_query(ApiClient)


async def caller_row(
    engine: AsyncEngine,
    client: bool,
    subject_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
) -> asyncpg.Record | None:
    """(organisation id, name, type, the caller's e-mail or client name, full name), or None."""
    return await fetch_row(
        engine,
        _ME_FOR_CLIENT if client else _ME_FOR_USER,
        subject_id=subject_id,
        organization_id=organization_id,
    )
