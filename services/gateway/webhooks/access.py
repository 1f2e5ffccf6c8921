"""Who manages an organisation's webhooks: its org admins and partner systems. Every query
is scoped by :func:`readable`, so another organisation's webhook is "not there" (404)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db.webhooks import SubscriptionStatus, WebhookSubscription
from shared.auth import CurrentPrincipal, Principal, Role
from shared.errors import Conflict, Forbidden, NotFound

MANAGERS = (Role.ORG_ADMIN, Role.PARTNER_SYSTEM)


def _manager(principal: CurrentPrincipal) -> Principal:
    if not principal.acts_as(*MANAGERS):
        raise Forbidden("Org admins and partner systems manage their organisation's webhooks.")
    return principal


Manager = Annotated[Principal, Depends(_manager)]


def readable(principal: Principal) -> Select[WebhookSubscription]:
    statement = select(WebhookSubscription)
    if not principal.acts_as(*MANAGERS):
        return statement.where(false())
    return statement.where(WebhookSubscription.organization_id == principal.organization_id)


async def get_subscription(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, *, lock: bool = False
) -> WebhookSubscription:
    statement = readable(principal).where(WebhookSubscription.id == webhook_id)
    if lock:
        statement = statement.with_for_update()
    subscription: WebhookSubscription | None = await session.scalar(statement)
    if subscription is None:
        raise NotFound("No such webhook.")
    return subscription


def require_active(subscription: WebhookSubscription) -> None:
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise Conflict("The webhook is disabled; enable it first (PATCH enabled=true).")
