"""The gateway with webhooks for service tests: its app (to reach the sessions), a dispatcher over a
recording transport, events delivered the way the services' relays do."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from services.gateway.app import create_app as create_gateway
from services.gateway.db.models import metadata as gateway_metadata
from services.gateway.webhooks import signing
from services.gateway.webhooks.catalogue import WebhookEventType
from services.gateway.webhooks.delivery import WebhookDispatcher
from services.gateway.webhooks.queue import DeliveryPolicy
from services.gateway.webhooks.runtime import delivery_policy
from shared.app import ServiceApp
from tests.conftest import gateway_settings
from tests.gateway.helpers import admin_headers, bearer, create_organization, create_user
from tests.support import serve, truncate

INTERNAL_TOKEN = "webhook-tests-internal-token"
PUBLIC_ADDRESS = "93.184.215.14"  # what the fake resolver answers for any other name


async def fake_resolver(host: str, _port: int) -> list[str]:
    """No DNS in tests: ``*.internal.example`` is private, localhost loopback, the rest public."""
    if host == "localhost":
        return ["127.0.0.1", "::1"]
    return ["10.1.2.3"] if host.endswith(".internal.example") else [PUBLIC_ADDRESS]


@dataclass
class Received:
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document


@dataclass
class Receivers:
    """Every request the dispatcher sends, answered by ``answer`` (200 unless told otherwise)."""

    received: list[Received] = field(default_factory=list)
    answer: Callable[[httpx.Request], httpx.Response] = lambda _request: httpx.Response(204)

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.received.append(Received(str(request.url), dict(request.headers), request.read()))
            return self.answer(request)

        return httpx.MockTransport(handle)

    def to(self, host: str) -> list[Received]:
        return [item for item in self.received if item.headers["host"] == host]

    def clear(self) -> None:
        self.received.clear()


@dataclass
class WebhookGateway:
    database_url: str
    app: ServiceApp
    client: httpx.AsyncClient
    receivers: Receivers
    dispatcher: WebhookDispatcher

    @property
    def policy(self) -> DeliveryPolicy:
        return self.dispatcher.policy

    async def deliver(self, *events: dict[str, Any], status: int = 200) -> httpx.Response:
        answer = await self.client.post(
            "/internal/events",
            json={"events": list(events)},
            headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"},
        )
        assert answer.status_code == status, answer.text
        return answer

    async def run(self) -> int:
        """Deliver everything due now."""
        return await self.dispatcher.deliver_due()


@contextlib.asynccontextmanager
async def webhook_gateway(database_url: str, **overrides: object) -> AsyncIterator[WebhookGateway]:
    """The gateway on an emptied database, its own worker off (the test drives a dispatcher over
    a recording transport), loopback targets allowed unless overridden."""
    await truncate(database_url, gateway_metadata)
    values: dict[str, object] = {
        "internal_token": INTERNAL_TOKEN,
        "webhook_deliver": False,
        "webhook_allow_loopback": True,
        "webhook_retry_base_seconds": 1.0,
        "webhook_retry_cap_seconds": 8.0,
        **overrides,
    }
    settings = gateway_settings(database_url, **values)
    app = create_gateway(settings)
    receivers = Receivers()
    async with serve(app) as client:
        app.state.webhook_resolver = fake_resolver
        dispatcher = WebhookDispatcher(
            app.state.sessions,
            delivery_policy(settings),
            transport=receivers.transport(),
            resolver=fake_resolver,
        )
        try:
            yield WebhookGateway(database_url, app, client, receivers, dispatcher)
        finally:
            await dispatcher.stop()


def envelope(
    event_type: str,
    payload: dict[str, Any],
    *,
    source: str = "intake",
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "source": source,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "payload": payload,
    }


def verified(item: Received, secret: str) -> dict[str, Any]:
    """The delivery's body, once its Standard Webhooks signature checks out."""
    signing.verify(secret, item.headers, item.body)
    return item.json


@dataclass(frozen=True, eq=False)
class Partner:
    """An organisation, as its partner system (which manages the organisation's webhooks)."""

    organization_id: str
    headers: dict[str, str]

    async def subscribe(
        self, client: httpx.AsyncClient, url: str, event_types: list[str] | None = None
    ) -> dict[str, Any]:
        answer = await client.post(
            "/api/v1/webhooks",
            json={"url": url, "event_types": event_types or list(WebhookEventType)},
            headers=self.headers,
        )
        assert answer.status_code == 201, answer.text
        hook: dict[str, Any] = answer.json()
        return hook


async def partners(client: httpx.AsyncClient, count: int) -> list[Partner]:
    """``count`` organisations with a partner-system client each, made by its first org admin
    (argon2 is slow on purpose: one account an organisation), client credentials for the rest."""
    admin = await admin_headers(client)
    made = []
    for _ in range(count):
        organization_id = await create_organization(client, admin)
        # An organisation's clients are its org admin's to create, not the platform admin's.
        org_admin = await create_user(client, admin, organization_id, ["org_admin"])
        credentials = await client.post(
            "/api/v1/clients",
            json={"name": "partner system"},
            headers=bearer(str(org_admin["access_token"])),
        )
        assert credentials.status_code == 201, credentials.text
        token = await client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": credentials.json()["client_id"],
                "client_secret": credentials.json()["client_secret"],
            },
        )
        assert token.status_code == 200, token.text
        made.append(Partner(organization_id, bearer(token.json()["access_token"])))
    return made
