"""Statements over a webhook's delivery log: its pages (newest first), one delivery or 404, and
its attempts. Every read goes through a subscription already scoped to the caller."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Row, Select, delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.errors import DeliveryNotFound
from services.gateway.webhooks.db.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    beneficiary_access,
)
from services.gateway.webhooks.domain import DeliveryStatus
from shared.pagination import decode_cursor


async def page(
    session: AsyncSession,
    subscription: WebhookSubscription,
    delivery_status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> Sequence[WebhookDelivery]:
    statement = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if delivery_status is not None:
        statement = statement.where(WebhookDelivery.status == delivery_status)
    key = tuple_(WebhookDelivery.created_at, WebhookDelivery.id)
    if cursor:  # newest first: keyset pagination downwards
        statement = statement.where(
            key < tuple(decode_cursor(cursor, (WebhookDelivery.created_at, WebhookDelivery.id)))
        )
    statement = statement.order_by(
        WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()
    ).limit(limit + 1)
    return (await session.scalars(statement)).all()


async def get_delivery(
    session: AsyncSession,
    subscription: WebhookSubscription,
    delivery_id: uuid.UUID,
    *,
    lock: bool = False,
) -> WebhookDelivery:
    """The subscription's delivery, or 404."""
    statement = select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == subscription.id
    )
    if lock:
        statement = statement.with_for_update()
    delivery: WebhookDelivery | None = await session.scalar(statement)
    if delivery is None:
        raise DeliveryNotFound
    return delivery


async def attempts_of(session: AsyncSession, delivery: WebhookDelivery) -> Sequence[WebhookAttempt]:
    return (
        await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.id)
        )
    ).all()


async def add(session: AsyncSession, delivery: WebhookDelivery) -> None:
    session.add(delivery)
    await session.flush()


async def drop_pending_about(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    """What was not delivered yet about a person (erased: the erasure supersedes it)."""
    await session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.beneficiary_id == beneficiary_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
    )


def _subscriptions_to(event_type: str) -> Select[uuid.UUID, uuid.UUID, str]:
    return select(
        WebhookSubscription.id, WebhookSubscription.organization_id, WebhookSubscription.status
    ).where(WebhookSubscription.event_types.contains([event_type]))


async def subscribers(
    session: AsyncSession, organization_ids: Iterable[uuid.UUID], event_type: str
) -> Sequence[Row[uuid.UUID, uuid.UUID, str]]:
    """(id, organisation, status) of the organisations' subscriptions to ``event_type``,
    disabled ones included."""
    statement = _subscriptions_to(event_type).where(
        WebhookSubscription.organization_id.in_(list(organization_ids))
    )
    return (await session.execute(statement)).all()


async def subscribers_but(
    session: AsyncSession, excluded: Collection[uuid.UUID], event_type: str
) -> Sequence[Row[uuid.UUID, uuid.UUID, str]]:
    """(id, organisation, status) of every organisation's subscriptions to ``event_type`` but
    ``excluded``'s, disabled ones included."""
    statement = _subscriptions_to(event_type)
    if excluded:
        statement = statement.where(WebhookSubscription.organization_id.not_in(list(excluded)))
    return (await session.execute(statement)).all()


async def enqueue(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Queue deliveries, each event once per subscription."""
    await session.execute(
        insert(WebhookDelivery)
        .values(rows)
        .on_conflict_do_nothing(constraint="uq_webhook_delivery_event")
    )


async def about(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[dict[str, Any]]:
    """Each delivery of an event about the person: what, when, to which organisation, how."""
    rows = await session.execute(
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
    return [dict(row._mapping) for row in rows]


async def access_of(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[dict[str, Any]]:
    """The gateway's copy of intake's access decision for the person."""
    rows = await session.execute(
        select(beneficiary_access).where(beneficiary_access.c.beneficiary_id == beneficiary_id)
    )
    return [dict(row._mapping) for row in rows]


async def flush(session: AsyncSession) -> None:
    await session.flush()
