"""The gateway's inbox (the ids of the services' events it applied) is purged by the webhook
dispatcher's housekeeping, on the retention the services keep their outbox: it runs no relay."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from shared.events import EVENT_RETENTION
from tests.gateway.webhook_helpers import WebhookGateway, webhook_gateway
from tests.support import sql


@pytest.fixture
async def hooks(gateway_database: str) -> AsyncIterator[WebhookGateway]:
    async with webhook_gateway(gateway_database) as gateway:
        yield gateway


async def test_housekeeping_forgets_old_applied_ids_and_keeps_recent_ones(
    hooks: WebhookGateway,
) -> None:
    old, recent = uuid.uuid4(), uuid.uuid4()
    await sql(
        hooks.database_url,
        "INSERT INTO inbox_event (event_id, type, source, received_at) VALUES "
        "($1, 'beneficiary.registered', 'intake', now() - $3::interval), "
        "($2, 'beneficiary.registered', 'intake', now() - interval '1 hour')",
        old,
        recent,
        EVENT_RETENTION + EVENT_RETENTION / 10,
    )
    await hooks.dispatcher.housekeep()
    rows = await sql(hooks.database_url, "SELECT event_id FROM inbox_event")
    assert [row["event_id"] for row in rows] == [recent]
