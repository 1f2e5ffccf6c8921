"""``/api/v1/webhooks``: an organisation's subscriptions (the delivery log, redelivery and pings
are in ``deliveries_api``, included here).

Org admins and the organisation's partner-system clients manage its subscriptions; nobody sees
another organisation's (404, like "not there"). Every query is scoped by
:func:`services.gateway.webhooks.db.subscriptions.readable`.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from services.gateway.db.models import idempotency
from services.gateway.settings import GatewaySettings
from services.gateway.webhooks import deliveries_api, ssrf
from services.gateway.webhooks.access import Manager
from services.gateway.webhooks.catalogue import CATALOGUE
from services.gateway.webhooks.db.models import (
    WebhookSubscription,
)
from services.gateway.webhooks.resources import RESOURCES
from services.gateway.webhooks.runtime import address_policy
from services.gateway.webhooks.schemas import (
    EventTypeRead,
    SecretRotated,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from services.gateway.webhooks.service import subscriptions as service
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.errors import FieldError, UnprocessableContent
from shared.etags import check_if_match, etag
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of, whole

router = APIRouter(
    prefix="/api/v1/webhooks", tags=["webhooks"], route_class=idempotent_routes(idempotency)
)


async def _checked_url(request: Request, url: str) -> str:
    settings: GatewaySettings = request.app.state.settings
    resolver: ssrf.Resolver = getattr(request.app.state, "webhook_resolver", ssrf.system_resolver)
    try:
        await ssrf.check(url, address_policy(settings), resolver)
    except ssrf.TargetRefused as refused:
        raise UnprocessableContent(
            str(refused), errors=[FieldError(field="body.url", message=str(refused), code="url")]
        ) from None
    return url


def _read(subscription: WebhookSubscription, response: Response) -> WebhookRead:
    response.headers["ETag"] = etag(subscription.version)
    return WebhookRead.model_validate(subscription)


@router.get(
    "/event-types",
    response_model=Page[EventTypeRead],
    responses=problems(403),
    summary="The events you can subscribe to, who receives them, and example data",
)
async def event_types(_principal: Manager) -> Page[EventTypeRead]:
    return whole(
        [
            EventTypeRead(
                type=spec.type,
                description=spec.description,
                audience=spec.audience,
                example=spec.example,
                resource=RESOURCES[spec.type][1] if spec.type in RESOURCES else None,
            )
            for spec in CATALOGUE.values()
        ]
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    responses=problems(403, 409, 422),
    summary="Subscribe your organisation's endpoint (org admins, partner systems)",
)
async def create_webhook(
    body: WebhookCreate,
    request: Request,
    principal: Manager,
    session: DbSession,
    response: Response,
) -> WebhookCreated:
    organization_id = principal.organization_id
    assert organization_id is not None  # a manager's
    url = await _checked_url(request, body.url)
    subscription, secret = await service.create(session, organization_id, url, body, principal)
    response.headers["Location"] = f"/api/v1/webhooks/{subscription.id}"
    response.headers["Cache-Control"] = "no-store"
    response.headers["ETag"] = etag(subscription.version)
    read = WebhookRead.model_validate(subscription)
    return WebhookCreated(**read.model_dump(), secret=secret)


@router.get("", response_model=Page[WebhookRead], responses=problems(403), summary="Your webhooks")
async def list_webhooks(
    principal: Manager, session: ReadSession, limit: Limit = 50, cursor: CursorParam = None
) -> Page[WebhookRead]:
    rows = await service.page(session, principal, cursor, limit)
    return page_of(rows, limit, lambda row: (row.created_at, row.id), WebhookRead.model_validate)


@router.get(
    "/{webhook_id}", response_model=WebhookRead, responses=problems(404), summary="One webhook"
)
async def get_webhook(
    webhook_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSession, response: Response
) -> WebhookRead:
    return _read(await service.get(session, principal, webhook_id), response)


@router.patch(
    "/{webhook_id}",
    response_model=WebhookRead,
    responses=problems(404, 412, 422, 428),
    summary="Change a webhook, disable it or enable it again (If-Match)",
)
async def update_webhook(
    webhook_id: uuid.UUID,
    body: WebhookUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> WebhookRead:
    # Resolved before the row is locked: a slow DNS answer must not hold a transaction open.
    url = await _checked_url(request, body.url) if body.url is not None else None
    subscription = await service.update(
        session,
        principal,
        webhook_id,
        body,
        url,
        lambda version: check_if_match(request, version),
    )
    return _read(subscription, response)


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(404),
    summary="Delete a webhook and its delivery log",
)
async def delete_webhook(
    webhook_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    await service.remove(session, principal, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=SecretRotated,
    responses=problems(404),
    summary="A new signing secret; the previous one also signs for 24 hours",
)
async def rotate_secret(
    webhook_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, response: Response
) -> SecretRotated:
    subscription, now = await service.rotate_secret(session, principal, webhook_id)
    response.headers["Cache-Control"] = "no-store"
    return SecretRotated(
        secret=subscription.secret, previous_secret_expires_at=now + service.ROTATION_GRACE
    )


router.include_router(deliveries_api.router)  # the log: /api/v1/webhooks/{id}/deliveries
