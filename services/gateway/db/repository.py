"""Queries over organisations, users and clients, already scoped to what the caller may see.

The 404 for "not yours" comes from the same query as the 404 for "not there"; repositories flush,
the request's session commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, any_, false, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db.models import ApiClient, Organization, User
from shared.auth import Principal, Role


def readable_users(principal: Principal) -> Select[User]:
    statement = select(User)
    if principal.is_platform_admin:
        # Staff accounts: a person's own app account is not the platform's business.
        return statement.where(User.beneficiary_id.is_(None))
    if principal.has(Role.ORG_ADMIN, Role.OPERATOR) and principal.organization_id is not None:
        return statement.where(User.organization_id == principal.organization_id)
    try:
        own_id = uuid.UUID(principal.subject)
    except ValueError:
        return statement.where(false())  # a client sees no users
    return statement.where(User.id == own_id)


def readable_clients(principal: Principal) -> Select[ApiClient]:
    statement = select(ApiClient)
    if principal.is_platform_admin:
        return statement
    if Role.ORG_ADMIN in principal.roles and principal.organization_id is not None:
        return statement.where(ApiClient.organization_id == principal.organization_id)
    return statement.where(false())


async def get_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User | None:
    user: User | None = await session.scalar(readable_users(principal).where(User.id == user_id))
    return user


async def get_user_for_update(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> User | None:
    user: User | None = await session.scalar(
        readable_users(principal).where(User.id == user_id).with_for_update()
    )
    return user


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    user: User | None = await session.scalar(select(User).where(User.email == email.lower()))
    return user


async def has_active_org_admin(session: AsyncSession, organization_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(User.id)
        .where(
            User.organization_id == organization_id,
            User.is_active.is_(True),
            literal(Role.ORG_ADMIN.value) == any_(User.roles),
        )
        .limit(1)
    )
    return found is not None


async def get_organization(
    session: AsyncSession, organization_id: uuid.UUID, *, lock: bool = False
) -> Organization | None:
    return await session.get(Organization, organization_id, with_for_update=lock)


async def organization_by_name(session: AsyncSession, name: str) -> Organization | None:
    organization: Organization | None = await session.scalar(
        select(Organization).where(Organization.name == name)
    )
    return organization


async def get_client(
    session: AsyncSession, principal: Principal, client_uuid: uuid.UUID
) -> ApiClient | None:
    client: ApiClient | None = await session.scalar(
        readable_clients(principal).where(ApiClient.id == client_uuid)
    )
    return client


async def client_by_client_id(session: AsyncSession, client_id: str) -> ApiClient | None:
    client: ApiClient | None = await session.scalar(
        select(ApiClient).where(ApiClient.client_id == client_id)
    )
    return client


async def add(session: AsyncSession, row: Any) -> None:
    session.add(row)
    await session.flush()
