"""The first platform admin, from ``PONTE_BOOTSTRAP_ADMIN_EMAIL`` / ``_PASSWORD``.

Created once, on first start, with a platform organisation to belong to; an existing account is
left alone (an old environment variable must not reset a password someone has since changed). It
holds platform_admin alone: it adds organisations and their first org admins, and works on no
one's data (the demo's people are registered by the demo organisations' own staff).
"""

from __future__ import annotations

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway.db import repository
from services.gateway.db.models import Organization, User
from services.gateway.domain.organizations import OrganizationType
from services.gateway.domain.passwords import hash_password, password_problems
from services.gateway.settings import GatewaySettings
from shared.auth import Role
from shared.logging import get_logger

_log = get_logger("ponte.gateway.bootstrap")
_BOOTSTRAP_LOCK = 0x424F4F54


async def bootstrap_admin(
    sessions: async_sessionmaker[AsyncSession], settings: GatewaySettings
) -> None:
    email, password = settings.bootstrap_admin_email, settings.bootstrap_admin_password
    if not email or not password:
        return
    email = email.strip().lower()
    async with sessions() as session, session.begin():
        await repository.advisory_lock(session, _BOOTSTRAP_LOCK)
        if await repository.user_by_email(session, email):
            return
        if problems := password_problems(password, email=email):
            raise ValueError(f"PONTE_BOOTSTRAP_ADMIN_PASSWORD {problems[0]}")
        organization = await repository.organization_by_name(
            session, settings.bootstrap_organization_name
        )
        if organization is None:
            organization = Organization(
                name=settings.bootstrap_organization_name, type=OrganizationType.OTHER
            )
            await repository.add(session, organization)
        await repository.add(
            session,
            User(
                organization_id=organization.id,
                email=email,
                full_name="Platform administrator",
                password_hash=await to_thread.run_sync(hash_password, password),
                roles=[Role.PLATFORM_ADMIN.value],
            ),
        )
    _log.info("bootstrap_admin_created")
