"""API clients of an organisation's systems: its org admins create them (the secret is shown once)
with the roles the system needs (a case system, a provider's system, or both) and revoke them."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db import credentials, repository, revocations
from services.gateway.db.models import ApiClient
from services.gateway.domain import access
from services.gateway.schemas.clients import ClientCreate
from shared import clock
from shared.auth import Principal, Role
from shared.errors import Forbidden


async def create(
    session: AsyncSession, principal: Principal, body: ClientCreate
) -> tuple[ApiClient, str]:
    """The new client and its secret."""
    organization_id = body.organization_id or principal.organization_id
    if organization_id is None or not access.may_create_clients(principal, organization_id):
        raise Forbidden("Only an organisation's org admins create its clients.")
    await repository.listed_organization(session, organization_id)
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id="pc_" + secrets.token_urlsafe(12),
        secret_hash=credentials.digest(secret),
        name=body.name,
        organization_id=organization_id,
        roles=sorted({Role(role).value for role in body.roles}),
        created_by=uuid.UUID(principal.subject) if principal.kind == "user" else None,
    )
    await repository.add(session, client)
    return client, secret


async def page(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Sequence[ApiClient]:
    return await repository.clients_page(session, principal, cursor, limit)


async def revoke(session: AsyncSession, client: ApiClient) -> None:
    """It gets no new tokens, and its access tokens end at once (idempotent)."""
    if client.revoked_at is None:
        client.revoked_at = clock.now()
        await revocations.revoke(session, str(client.id))
        await repository.flush(session)
