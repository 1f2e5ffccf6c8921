"""Statements over an organisation's webhook subscriptions, scoped by :func:`readable`: another
organisation's webhook is "not there" (404)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, false, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.errors import WebhookNotFound
from services.gateway.webhooks.db.models import (
    WebhookDelivery,
    WebhookSubscription,
)
from services.gateway.webhooks.domain import DeliveryStatus
from shared.auth import INTEGRATION_ROLES, Principal
from shared.pagination import keyset

MANAGERS = INTEGRATION_ROLES  # an organisation's org admins and partner systems


def readable(principal: Principal) -> Select[WebhookSubscription]:
    statement = select(WebhookSubscription)
    if not principal.acts_as(*MANAGERS):
        return statement.where(false())
    return statement.where(WebhookSubscription.organization_id == principal.organization_id)


async def get_subscription(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, *, lock: bool = False
) -> WebhookSubscription:
    """The caller's webhook, or 404."""
    statement = readable(principal).where(WebhookSubscription.id == webhook_id)
    if lock:
        statement = statement.with_for_update()
    subscription: WebhookSubscription | None = await session.scalar(statement)
    if subscription is None:
        raise WebhookNotFound
    return subscription


async def page(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Sequence[WebhookSubscription]:
    order = (WebhookSubscription.created_at, WebhookSubscription.id)
    return (await session.scalars(keyset(readable(principal), order, cursor, limit))).all()


async def count_of(session: AsyncSession, organization_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(WebhookSubscription.organization_id == organization_id)
    )
    return count or 0


async def add(session: AsyncSession, subscription: WebhookSubscription) -> None:
    session.add(subscription)
    await session.flush()


async def remove(session: AsyncSession, subscription: WebhookSubscription) -> None:
    await session.delete(subscription)
    await session.flush()


async def release(session: AsyncSession, subscription_id: uuid.UUID, now: datetime) -> None:
    """What waited while the subscription was disabled is due now."""
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(next_attempt_at=now)
    )


async def flush(session: AsyncSession) -> None:
    await session.flush()
