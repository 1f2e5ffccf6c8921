"""Queries over organisations, users and clients, already scoped to what the caller may see.

The 404 for "not yours" comes from the same query as the 404 for "not there"; repositories flush,
the request's session commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, any_, delete, false, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db.models import ApiClient, Organization, User
from services.gateway.errors import ClientNotFound, OrganizationNotFound, UserNotFound
from shared.auth import STAFF_ROLES, Principal, Role
from shared.pagination import keyset


def readable_users(principal: Principal) -> Select[User]:
    statement = select(User)
    if principal.is_platform_admin:
        # Staff accounts: a person's own app account is not the platform's business.
        return statement.where(User.beneficiary_id.is_(None))
    if principal.has(*STAFF_ROLES) and principal.organization_id is not None:
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


async def visible_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, *, lock: bool = False
) -> User:
    """The user if the caller may see them, or 404."""
    user = await (get_user_for_update if lock else get_user)(session, principal, user_id)
    if user is None:
        raise UserNotFound
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


async def is_active_case_worker(
    session: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    """An active operator or org admin of the organisation (what an appointment may name)."""
    found = await session.scalar(
        select(User.id).where(
            User.id == user_id,
            User.organization_id == organization_id,
            User.is_active.is_(True),
            or_(
                literal(Role.OPERATOR.value) == any_(User.roles),
                literal(Role.ORG_ADMIN.value) == any_(User.roles),
            ),
        )
    )
    return found is not None


async def get_organization(
    session: AsyncSession, organization_id: uuid.UUID, *, lock: bool = False
) -> Organization | None:
    return await session.get(Organization, organization_id, with_for_update=lock)


async def listed_organization(
    session: AsyncSession, organization_id: uuid.UUID, *, lock: bool = False
) -> Organization:
    """The organisation (every caller may see the list of organisations), or 404."""
    organization = await get_organization(session, organization_id, lock=lock)
    if organization is None:
        raise OrganizationNotFound
    return organization


async def organizations_without_territory(session: AsyncSession) -> list[Organization]:
    """The organisations that name a municipality and no territory, locked, by id."""
    found = await session.scalars(
        select(Organization)
        .where(Organization.territory_code.is_(None), Organization.municipality.is_not(None))
        .order_by(Organization.id)
        .with_for_update()
    )
    return list(found)


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


async def visible_client(
    session: AsyncSession, principal: Principal, client_uuid: uuid.UUID
) -> ApiClient:
    """The API client if the caller may see it, or 404."""
    client = await get_client(session, principal, client_uuid)
    if client is None:
        raise ClientNotFound
    return client


async def client_by_client_id(session: AsyncSession, client_id: str) -> ApiClient | None:
    client: ApiClient | None = await session.scalar(
        select(ApiClient).where(ApiClient.client_id == client_id)
    )
    return client


async def add(session: AsyncSession, row: Any) -> None:
    session.add(row)
    await session.flush()


async def person_account(
    session: AsyncSession, beneficiary_id: uuid.UUID, *, lock: bool = False
) -> User | None:
    """The app account of a person (at most one)."""
    statement = select(User).where(User.beneficiary_id == beneficiary_id)
    if lock:
        statement = statement.with_for_update()
    user: User | None = await session.scalar(statement)
    return user


async def person_accounts(session: AsyncSession, beneficiary_id: uuid.UUID) -> Sequence[User]:
    return (await session.scalars(select(User).where(User.beneficiary_id == beneficiary_id))).all()


async def has_person_account(session: AsyncSession, beneficiary_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(User.id).where(User.beneficiary_id == beneficiary_id).limit(1)
    )
    return found is not None


async def delete_person_accounts(
    session: AsyncSession, beneficiary_id: uuid.UUID
) -> Sequence[uuid.UUID]:
    """Delete a person's app account; the ids deleted."""
    deleted = await session.scalars(
        delete(User).where(User.beneficiary_id == beneficiary_id).returning(User.id)
    )
    return deleted.all()


async def organizations_page(
    session: AsyncSession, cursor: str | None, limit: int
) -> Sequence[Organization]:
    order = (Organization.name, Organization.id)
    return (await session.scalars(keyset(select(Organization), order, cursor, limit))).all()


async def users_page(
    session: AsyncSession,
    principal: Principal,
    organization_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Sequence[User]:
    statement = readable_users(principal)
    if organization_id is not None:
        statement = statement.where(User.organization_id == organization_id)
    order = (User.created_at, User.id)
    return (await session.scalars(keyset(statement, order, cursor, limit))).all()


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def clients_page(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Sequence[ApiClient]:
    order = (ApiClient.created_at, ApiClient.id)
    statement = keyset(readable_clients(principal), order, cursor, limit)
    return (await session.scalars(statement)).all()


async def commit(session: AsyncSession) -> None:
    """Commit now (what must hold though the answer is an error: a failed sign-in counted)."""
    await session.commit()


async def advisory_lock(session: AsyncSession, key: int) -> None:
    """Hold the transaction-scoped advisory lock ``key`` (one replica at a time)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def get_user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """Any user by id, unscoped: for the token endpoint, which authenticates them."""
    return await session.get(User, user_id)


async def hold_user(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Whether the account still exists, holding it until commit (FOR NO KEY UPDATE: a
    concurrent erasure's delete waits, and a sign-in that lost the race sees it gone)."""
    found = await session.scalar(
        select(User.id).where(User.id == user_id).with_for_update(key_share=True)
    )
    return found is not None
