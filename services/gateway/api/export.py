"""``GET /internal/beneficiaries/{id}/export``: what the gateway holds about a person, for intake's
GDPR export (architecture.md, "Export"). Internal like ``/internal/events``: the services' shared
token, not in the OpenAPI document; the proxy only forwards ``/api/v1/*``, so no public route
reaches it through a service.

What it answers, as lists (intake concatenates the lists of a person's merged ids):

- ``accounts``: the person's self-service app account (handle, organisation, roles, whether a
  password is set, created, changed, last sign-in, active); never the password hash.
- ``sessions``: the account's sign-ins (refresh-token chains: issued, expires, used, revoked);
  never the token hashes.
- ``sign_in_failures``: the account's counter of failed sign-ins, if one is running.
- ``webhook_deliveries``: each event about the person the gateway delivered (or is delivering) to
  an organisation's endpoint: the event, when, to which organisation, with what outcome. This is
  who received data about the person (GDPR art. 15(1)(c)); the payloads are ids and states whose
  content the owning services export in full, and the endpoints' URLs and secrets are the
  receiving organisation's, not the person's.
- ``access``: the gateway's copy of intake's access decision for the person.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import select

from services.gateway.db.models import LoginThrottle, RefreshToken, User
from services.gateway.db.webhooks import (
    WebhookDelivery,
    WebhookSubscription,
    beneficiary_access,
)
from services.gateway.service.activation import NO_PASSWORD
from shared.db import ReadSession
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/beneficiaries/{beneficiary_id}/export")
async def export(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, list[Any]]:
    accounts = (
        await session.scalars(select(User).where(User.beneficiary_id == beneficiary_id))
    ).all()
    account_ids = [account.id for account in accounts]
    sessions = (
        (
            await session.scalars(
                select(RefreshToken)
                .where(RefreshToken.user_id.in_(account_ids))
                .order_by(RefreshToken.issued_at, RefreshToken.id)
            )
        ).all()
        if account_ids
        else []
    )
    failures = (
        await session.scalars(
            select(LoginThrottle).where(
                LoginThrottle.key.in_([f"account:{account.email.lower()}" for account in accounts])
            )
        )
    ).all()
    deliveries = await session.execute(
        select(
            WebhookDelivery.id,
            WebhookDelivery.event_id,
            WebhookDelivery.event_type,
            WebhookDelivery.occurred_at,
            WebhookSubscription.organization_id.label("recipient_organization_id"),
            WebhookDelivery.status,
            WebhookDelivery.delivered_at,
        )
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.beneficiary_id == beneficiary_id)
        .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
    )
    access = await session.execute(
        select(beneficiary_access).where(beneficiary_access.c.beneficiary_id == beneficiary_id)
    )
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
        "webhook_deliveries": [dict(row._mapping) for row in deliveries],
        "access": [dict(row._mapping) for row in access],
    }
