"""A webhook's delivery log, redelivery and test pings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.webhooks.catalogue import PING
from services.gateway.webhooks.db import deliveries
from services.gateway.webhooks.db.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from services.gateway.webhooks.db.subscriptions import get_subscription
from services.gateway.webhooks.domain import DeliveryStatus, SubscriptionStatus
from services.gateway.webhooks.queue import QUEUED_KEY
from shared import clock
from shared.auth import Principal
from shared.errors import Conflict


def require_active(subscription: WebhookSubscription) -> None:
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise Conflict("The webhook is disabled; enable it first (PATCH enabled=true).")


async def ping(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID
) -> WebhookDelivery:
    """A signed ``webhook.ping``, queued now."""
    subscription = await get_subscription(session, principal, webhook_id)
    require_active(subscription)
    now = clock.now()
    delivery = WebhookDelivery(
        id=uuid.uuid4(),
        subscription_id=subscription.id,
        event_id=uuid.uuid4(),
        event_type=PING,
        occurred_at=now,
        data={"webhook_id": str(subscription.id)},
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        queued_at=now,
        created_at=now,
    )
    await deliveries.add(session, delivery)
    session.info[QUEUED_KEY] = True
    return delivery


async def page(
    session: AsyncSession,
    principal: Principal,
    webhook_id: uuid.UUID,
    delivery_status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> Sequence[WebhookDelivery]:
    subscription = await get_subscription(session, principal, webhook_id)
    return await deliveries.page(session, subscription, delivery_status, cursor, limit)


async def detail(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, Sequence[WebhookAttempt]]:
    """One delivery and every attempt."""
    subscription = await get_subscription(session, principal, webhook_id)
    delivery = await deliveries.get_delivery(session, subscription, delivery_id)
    return delivery, await deliveries.attempts_of(session, delivery)


async def redeliver(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """Again now, with the same webhook-id (a new series of attempts)."""
    subscription = await get_subscription(session, principal, webhook_id)
    require_active(subscription)
    delivery = await deliveries.get_delivery(session, subscription, delivery_id, lock=True)
    now = clock.now()
    delivery.status = DeliveryStatus.PENDING.value
    delivery.next_attempt_at = now
    delivery.queued_at = now
    delivery.delivered_at = None
    await deliveries.flush(session)
    session.info[QUEUED_KEY] = True
    return delivery
