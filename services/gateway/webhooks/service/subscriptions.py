"""Webhook subscriptions: an organisation's org admins and partner systems subscribe its
endpoints, change them, disable and enable them, rotate their secrets and delete them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.webhooks import signing
from services.gateway.webhooks.db import subscriptions
from services.gateway.webhooks.db.models import WebhookSubscription
from services.gateway.webhooks.db.queue import hold
from services.gateway.webhooks.db.subscriptions import get_subscription
from services.gateway.webhooks.domain import SubscriptionStatus
from services.gateway.webhooks.queue import QUEUED_KEY
from services.gateway.webhooks.schemas import WebhookCreate, WebhookUpdate
from shared import clock
from shared.auth import Principal
from shared.errors import Conflict

MAX_SUBSCRIPTIONS = 20
ROTATION_GRACE = timedelta(hours=24)


async def create(
    session: AsyncSession,
    organization_id: uuid.UUID,
    url: str,
    body: WebhookCreate,
    principal: Principal,
) -> tuple[WebhookSubscription, str]:
    """The new subscription and its secret (``url`` already checked)."""
    if await subscriptions.count_of(session, organization_id) >= MAX_SUBSCRIPTIONS:
        raise Conflict(f"An organisation has at most {MAX_SUBSCRIPTIONS} webhooks.")
    secret = body.secret or signing.new_secret()
    now = clock.now()
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        organization_id=organization_id,
        url=url,
        event_types=[kind.value for kind in body.event_types],
        payload=body.payload.value,
        description=body.description,
        secret=secret,
        status=SubscriptionStatus.ACTIVE.value,
        created_by=principal.subject[:100],
        version=1,
        created_at=now,
        updated_at=now,
    )
    await subscriptions.add(session, subscription)
    return subscription, secret


async def page(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Sequence[WebhookSubscription]:
    return await subscriptions.page(session, principal, cursor, limit)


async def get(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID
) -> WebhookSubscription:
    return await get_subscription(session, principal, webhook_id)


async def update(
    session: AsyncSession,
    principal: Principal,
    webhook_id: uuid.UUID,
    body: WebhookUpdate,
    url: str | None,
    check_version: Callable[[int], None],
) -> WebhookSubscription:
    """``url``: the new one, already checked (resolved before the row is locked)."""
    subscription = await get_subscription(session, principal, webhook_id, lock=True)
    check_version(subscription.version)
    now = clock.now()
    if url is not None:
        subscription.url = url
    if body.event_types is not None:
        subscription.event_types = [kind.value for kind in body.event_types]
    if body.payload is not None:
        subscription.payload = body.payload.value
    if body.description is not None:
        subscription.description = body.description
    if body.enabled is False and subscription.status == SubscriptionStatus.ACTIVE:
        subscription.status = SubscriptionStatus.DISABLED.value
        subscription.disabled_at = now
        subscription.disabled_reason = "Disabled by a user."
        await hold(session, subscription.id)
    elif body.enabled is True and subscription.status == SubscriptionStatus.DISABLED:
        subscription.status = SubscriptionStatus.ACTIVE.value
        subscription.disabled_at = subscription.disabled_reason = None
        subscription.failing_since = None
        await subscriptions.release(session, subscription.id, now)
        session.info[QUEUED_KEY] = True
    subscription.version += 1
    subscription.updated_at = now
    await subscriptions.flush(session)
    return subscription


async def remove(session: AsyncSession, principal: Principal, webhook_id: uuid.UUID) -> None:
    """Delete the subscription and its delivery log."""
    subscription = await get_subscription(session, principal, webhook_id, lock=True)
    await subscriptions.remove(session, subscription)


async def rotate_secret(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID
) -> tuple[WebhookSubscription, datetime]:
    """A new secret; the previous one also signs for ``ROTATION_GRACE``. Returns when."""
    subscription = await get_subscription(session, principal, webhook_id, lock=True)
    now = clock.now()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = now + ROTATION_GRACE
    subscription.secret = signing.new_secret()
    subscription.version += 1
    subscription.updated_at = now
    await subscriptions.flush(session)
    return subscription, now
