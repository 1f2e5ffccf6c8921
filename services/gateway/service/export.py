"""What the gateway holds about a person, for intake's GDPR export (``api/export.py`` says what
each list is)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db import credentials, repository
from services.gateway.service.activation import NO_PASSWORD
from services.gateway.webhooks.db import deliveries as webhook_deliveries


async def export(session: AsyncSession, beneficiary_id: uuid.UUID) -> dict[str, list[Any]]:
    accounts = await repository.person_accounts(session, beneficiary_id)
    sessions = await credentials.sessions_of(session, [account.id for account in accounts])
    failures = await credentials.throttles_of(
        session, [f"account:{account.email.lower()}" for account in accounts]
    )
    deliveries = await webhook_deliveries.about(session, beneficiary_id)
    access = await webhook_deliveries.access_of(session, beneficiary_id)
    return {
        "accounts": [
            {
                "id": account.id,
                "handle": account.email,
                "organization_id": account.organization_id,
                "roles": account.roles,
                "password_set": account.password_hash != NO_PASSWORD,
                "active": account.is_active,
                "created_at": account.created_at,
                "updated_at": account.updated_at,
                "last_sign_in_at": account.last_login_at,
            }
            for account in accounts
        ],
        "sessions": [
            {
                "id": token.id,
                "family_id": token.family_id,
                "issued_at": token.issued_at,
                "expires_at": token.expires_at,
                "used_at": token.used_at,
                "revoked_at": token.revoked_at,
            }
            for token in sessions
        ],
        "sign_in_failures": [
            {
                "failures": failure.failures,
                "first_failure_at": failure.first_failure_at,
                "blocked_until": failure.blocked_until,
            }
            for failure in failures
        ],
        "webhook_deliveries": deliveries,
        "access": access,
    }
