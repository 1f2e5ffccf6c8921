"""The delivery log of a webhook, redelivery, and test pings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db.models import idempotency
from services.gateway.db.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from services.gateway.webhooks.access import get_subscription, require_active
from services.gateway.webhooks.catalogue import PING, body_of
from services.gateway.webhooks.queue import QUEUED_KEY
from services.gateway.webhooks.schemas import AttemptRead, DeliveryDetail, DeliveryRead
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.errors import NotFound
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, decode_cursor, page_of

# Included by ``api.router``, under its prefix ``/api/v1/webhooks``.
router = APIRouter(tags=["webhooks"], route_class=idempotent_routes(idempotency))


@router.post(
    "/{webhook_id}/ping",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryRead,
    responses=problems(404, 409),
    summary="Send a signed `webhook.ping` to check your endpoint and signature verification",
)
async def ping(
    webhook_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> DeliveryRead:
    subscription = await get_subscription(session, principal, webhook_id)
    require_active(subscription)
    now = datetime.now(UTC)
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
    session.add(delivery)
    await session.flush()
    session.info[QUEUED_KEY] = True
    return DeliveryRead.model_validate(delivery)


StatusFilter = Annotated[DeliveryStatus | None, Query(description="only deliveries in this state")]


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[DeliveryRead],
    responses=problems(404),
    summary="The delivery log, newest first",
)
async def list_deliveries(
    webhook_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: ReadSession,
    delivery_status: Annotated[StatusFilter, Query(alias="status")] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[DeliveryRead]:
    subscription = await get_subscription(session, principal, webhook_id)
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
    rows = (await session.scalars(statement)).all()
    return page_of(rows, limit, lambda row: (row.created_at, row.id), DeliveryRead.model_validate)


async def _delivery(
    session: AsyncSession,
    subscription: WebhookSubscription,
    delivery_id: uuid.UUID,
    *,
    lock: bool = False,
) -> WebhookDelivery:
    statement = select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == subscription.id
    )
    if lock:
        statement = statement.with_for_update()
    delivery: WebhookDelivery | None = await session.scalar(statement)
    if delivery is None:
        raise NotFound("No such delivery.")
    return delivery


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    responses=problems(404),
    summary="One delivery: its body and every attempt",
)
async def get_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSession
) -> DeliveryDetail:
    subscription = await get_subscription(session, principal, webhook_id)
    delivery = await _delivery(session, subscription, delivery_id)
    attempts = (
        await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.id)
        )
    ).all()
    return DeliveryDetail(
        **DeliveryRead.model_validate(delivery).model_dump(),
        body=body_of(delivery.event_type, delivery.occurred_at.isoformat(), delivery.data),
        attempt_log=[AttemptRead.model_validate(attempt) for attempt in attempts],
    )


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryRead,
    responses=problems(404, 409),
    summary="Send a delivery again now, with the same webhook-id (a new series of attempts)",
)
async def redeliver(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> DeliveryRead:
    subscription = await get_subscription(session, principal, webhook_id)
    require_active(subscription)
    delivery = await _delivery(session, subscription, delivery_id, lock=True)
    now = datetime.now(UTC)
    delivery.status = DeliveryStatus.PENDING.value
    delivery.next_attempt_at = now
    delivery.queued_at = now
    delivery.delivered_at = None
    await session.flush()
    session.info[QUEUED_KEY] = True
    return DeliveryRead.model_validate(delivery)
