"""Wiring of the webhooks into the gateway: the policies from the settings, the events endpoint
the services' relays deliver to, and the lifespan hooks of the delivery worker."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, FastAPI

from services.gateway.settings import GatewaySettings
from services.gateway.webhooks import consumer, ssrf
from services.gateway.webhooks.db.models import inbox
from services.gateway.webhooks.delivery import WebhookDispatcher
from services.gateway.webhooks.queue import DeliveryPolicy
from services.gateway.webhooks.resources import ResourceReader
from shared.events import events_router


def address_policy(settings: GatewaySettings) -> ssrf.AddressPolicy:
    return ssrf.AddressPolicy(
        allow_loopback=settings.webhook_allow_loopback,
        allow_private=settings.webhook_allow_private,
    )


def delivery_policy(settings: GatewaySettings) -> DeliveryPolicy:
    return DeliveryPolicy(
        timeout_seconds=settings.webhook_timeout_seconds,
        retry_base_seconds=settings.webhook_retry_base_seconds,
        retry_cap_seconds=max(
            settings.webhook_retry_cap_seconds, settings.webhook_retry_base_seconds
        ),
        disable_after=timedelta(days=settings.webhook_disable_after_days),
        concurrency=settings.webhook_concurrency,
        poll_seconds=settings.webhook_poll_seconds,
        log_retention=timedelta(days=settings.webhook_log_retention_days),
        addresses=address_policy(settings),
    )


def events(settings: GatewaySettings) -> APIRouter:
    """``POST /internal/events``: the services' events, queued for the subscriptions."""
    wait = timedelta(seconds=settings.webhook_access_wait_seconds)
    return events_router(consumer.handlers(wait), inbox)


async def start(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    app.state.webhook_resolver = ssrf.system_resolver
    if settings.webhook_deliver:
        dispatcher = WebhookDispatcher(
            app.state.sessions,
            delivery_policy(settings),
            resources=ResourceReader(app.state.upstreams, app.state.issuer),
        )
        dispatcher.start()
        app.state.webhooks = dispatcher


async def stop(app: FastAPI) -> None:
    dispatcher: WebhookDispatcher | None = getattr(app.state, "webhooks", None)
    if dispatcher is not None:
        await dispatcher.stop()
