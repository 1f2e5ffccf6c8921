"""The delivery log of a webhook, redelivery, and test pings."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.gateway.db.models import idempotency
from services.gateway.webhooks.catalogue import body_of
from services.gateway.webhooks.domain import DeliveryStatus
from services.gateway.webhooks.schemas import AttemptRead, DeliveryDetail, DeliveryRead
from services.gateway.webhooks.service import deliveries as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of

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
    delivery = await service.ping(session, principal, webhook_id)
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
    rows = await service.page(session, principal, webhook_id, delivery_status, cursor, limit)
    return page_of(rows, limit, lambda row: (row.created_at, row.id), DeliveryRead.model_validate)


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    responses=problems(404),
    summary="One delivery: its body and every attempt",
)
async def get_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSession
) -> DeliveryDetail:
    delivery, attempts = await service.detail(session, principal, webhook_id, delivery_id)
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
    delivery = await service.redeliver(session, principal, webhook_id, delivery_id)
    return DeliveryRead.model_validate(delivery)
