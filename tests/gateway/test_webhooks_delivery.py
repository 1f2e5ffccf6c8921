"""From the services' events to signed deliveries: who receives what, retries and the log,
disabling after days of failure, giving up and redelivering, erasure, SSRF at delivery time."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.gateway.webhooks.delivery import WebhookDispatcher
from tests.gateway.webhook_helpers import (
    PUBLIC_ADDRESS,
    Partner,
    WebhookGateway,
    envelope,
    partners,
    verified,
    webhook_gateway,
)
from tests.support import sql


@pytest.fixture
async def hooks(gateway_database: str) -> AsyncIterator[WebhookGateway]:
    async with webhook_gateway(gateway_database) as gateway:
        yield gateway


def registered(person: uuid.UUID, owner: str) -> dict[str, Any]:
    profile = {"birth_date": "1990-04-01", "nationality": "GH", "skills": [{"label": "masonry"}]}
    return envelope(
        "beneficiary.registered",
        {"beneficiary_id": str(person), "organization_id": owner, "profile": profile},
    )


def access(person: uuid.UUID, owner: str, version: int, **grants: list[str]) -> dict[str, Any]:
    return envelope(
        "beneficiary.access_changed",
        {
            "beneficiary_id": str(person),
            "owner_organization_id": owner,
            "grants": [{"organization_id": org, "sections": s} for org, s in grants.items()],
            "matching_consent": True,
            "version": version,
        },
    )


def referral(person: uuid.UUID, referrer: str, provider: str, **extra: Any) -> dict[str, Any]:
    payload = {
        "referral_id": str(uuid.uuid4()),
        "beneficiary_id": str(person),
        "offer_id": str(uuid.uuid4()),
        "organization_id": referrer,
        "provider_organization_id": provider,
        "pathway_id": str(uuid.uuid4()),
        "action_id": str(uuid.uuid4()),
        "status": "proposed",
    }
    return envelope("referral.status_changed", payload, source="matching", **extra)


def pathway_opened(person: uuid.UUID, owner: str, **extra: Any) -> dict[str, Any]:
    payload = {
        "pathway_id": str(uuid.uuid4()),
        "beneficiary_id": str(person),
        "organization_id": owner,
    }
    return envelope("pathway.opened", payload, source="pathways", **extra)


async def _deliveries(hooks: WebhookGateway, partner: Partner, hook: dict[str, Any]) -> list[Any]:
    answer = await hooks.client.get(
        f"/api/v1/webhooks/{hook['id']}/deliveries", headers=partner.headers
    )
    assert answer.status_code == 200, answer.text
    items: list[Any] = answer.json()["items"]
    return items


async def test_each_organisation_receives_signed_ids_about_what_it_may_see(
    hooks: WebhookGateway,
) -> None:
    owner, shared, provider, stranger = await partners(hooks.client, 4)
    urls = {
        owner: "http://127.0.0.1:9/owner",  # loopback is allowed in this test's settings
        shared: "https://shared.partner.example/hooks",
        provider: "https://provider.partner.example/hooks",
        stranger: "https://stranger.partner.example/hooks",
    }
    hook = {partner: await partner.subscribe(hooks.client, url) for partner, url in urls.items()}
    person = uuid.uuid4()
    events = [
        registered(person, owner.organization_id),
        access(person, owner.organization_id, 2, **{shared.organization_id: ["pathway"]}),
        pathway_opened(person, owner.organization_id),
        referral(person, owner.organization_id, provider.organization_id),
    ]
    await hooks.deliver(*events)
    await hooks.deliver(*events)  # a relay's redelivery: nothing is queued twice
    assert await hooks.run() == 5  # the owner's three, the shared pathway, the provider's
    assert await hooks.run() == 0

    received: dict[Partner, dict[str, dict[str, Any]]] = {}
    for partner, url in urls.items():
        host = httpx.URL(url).netloc.decode()
        received[partner] = {}
        for item in hooks.receivers.to(host):
            body = verified(item, hook[partner]["secret"])
            assert item.headers["webhook-id"] not in received[partner]
            assert item.headers["user-agent"].startswith("Ponte-Webhooks/")
            assert set(body) == {"type", "timestamp", "data"}
            received[partner][item.headers["webhook-id"]] = body
    by_type = {
        partner: {body["type"]: body["data"] for body in bodies.values()}
        for partner, bodies in received.items()
    }
    assert set(by_type[owner]) == {
        "beneficiary.registered",
        "pathway.opened",
        "referral.status_changed",
    }
    assert set(by_type[shared]) == {"pathway.opened"}  # shared the pathway only, after the fact
    assert set(by_type[provider]) == {"referral.status_changed"}
    assert by_type[stranger] == {}
    assert by_type[owner]["beneficiary.registered"] == {
        "beneficiary_id": str(person),
        "organization_id": owner.organization_id,
    }
    assert "pathway_id" in by_type[owner]["referral.status_changed"]
    assert "pathway_id" not in by_type[provider]["referral.status_changed"]
    sent = {event["type"]: event["id"] for event in events}
    assert set(received[owner]) == {sent[kind] for kind in by_type[owner]}  # webhook-id = event
    everything = b"".join(item.body for item in hooks.receivers.received)
    assert b"masonry" not in everything
    assert b"1990-04-01" not in everything

    log = await _deliveries(hooks, owner, hook[owner])
    assert len(log) == 3
    assert all(item["status"] == "delivered" for item in log)


async def test_failures_are_retried_with_back_off_and_logged(hooks: WebhookGateway) -> None:
    (owner,) = await partners(hooks.client, 1)
    hook = await owner.subscribe(hooks.client, "http://127.0.0.1:9/hooks")
    hooks.receivers.answer = lambda _request: httpx.Response(500, text="secret stack trace")
    event = registered(uuid.uuid4(), owner.organization_id)
    await hooks.deliver(event)
    before = datetime.now(UTC)
    assert await hooks.run() == 1
    [delivery] = await _deliveries(hooks, owner, hook)
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 1
    assert delivery["last_status_code"] == 500
    assert delivery["last_error"] == "HTTP 500"
    retry_at = datetime.fromisoformat(delivery["next_attempt_at"])
    assert before + timedelta(seconds=0.9) < retry_at < before + timedelta(seconds=3)
    assert await hooks.run() == 0  # not due yet
    failing = await hooks.client.get(f"/api/v1/webhooks/{hook['id']}", headers=owner.headers)
    assert failing.json()["failing_since"] is not None

    hooks.receivers.answer = lambda _request: httpx.Response(204)
    await sql(hooks.database_url, "UPDATE webhook_delivery SET next_attempt_at = now()")
    assert await hooks.run() == 1
    detail = (
        await hooks.client.get(
            f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}", headers=owner.headers
        )
    ).json()
    assert detail["status"] == "delivered"
    assert detail["event_id"] == event["id"]
    assert [a["status_code"] for a in detail["attempt_log"]] == [500, 204]
    assert "secret stack trace" not in str(detail)
    assert detail["body"]["data"]["organization_id"] == owner.organization_id
    ids = {item.headers["webhook-id"] for item in hooks.receivers.received}
    assert ids == {event["id"]}  # the same id at every attempt: receivers dedupe by it
    healthy = await hooks.client.get(f"/api/v1/webhooks/{hook['id']}", headers=owner.headers)
    assert healthy.json()["failing_since"] is None


async def test_a_subscription_failing_for_days_is_disabled_with_the_reason_and_resumes(
    hooks: WebhookGateway,
) -> None:
    (owner,) = await partners(hooks.client, 1)
    hook = await owner.subscribe(hooks.client, "http://127.0.0.1:9/hooks")
    hooks.receivers.answer = lambda _request: httpx.Response(503)
    person = uuid.uuid4()
    await hooks.deliver(registered(person, owner.organization_id))
    assert await hooks.run() == 1
    await sql(
        hooks.database_url,
        "UPDATE webhook_subscription SET failing_since = now() - interval '4 days'",
    )
    await sql(hooks.database_url, "UPDATE webhook_delivery SET next_attempt_at = now()")
    assert await hooks.run() == 1
    read = await hooks.client.get(f"/api/v1/webhooks/{hook['id']}", headers=owner.headers)
    disabled = read.json()
    assert disabled["status"] == "disabled"
    assert "more than 3 days" in disabled["disabled_reason"]
    assert "HTTP 503" in disabled["disabled_reason"]

    # Events keep being queued while it is disabled, and nothing is sent.
    update = envelope(
        "beneficiary.updated",
        {"beneficiary_id": str(person), "organization_id": owner.organization_id, "profile": {}},
    )
    await hooks.deliver(update)
    waiting = await _deliveries(hooks, owner, hook)
    assert [(item["status"], item["next_attempt_at"]) for item in waiting] == [
        ("pending", None),
        ("pending", None),
    ]
    assert await hooks.run() == 0
    await sql(hooks.database_url, "UPDATE webhook_delivery SET next_attempt_at = now()")
    assert await hooks.run() == 0  # and never claimed while disabled, whatever the schedule

    hooks.receivers.answer = lambda _request: httpx.Response(200)
    enabled = await hooks.client.patch(
        f"/api/v1/webhooks/{hook['id']}",
        json={"enabled": True},
        headers={**owner.headers, "If-Match": read.headers["etag"]},
    )
    assert enabled.json()["status"] == "active"
    assert await hooks.run() == 2
    log = await _deliveries(hooks, owner, hook)
    assert {item["status"] for item in log} == {"delivered"}


async def test_a_delivery_failing_for_days_is_given_up_and_can_be_redelivered(
    hooks: WebhookGateway,
) -> None:
    (owner,) = await partners(hooks.client, 1)
    hook = await owner.subscribe(hooks.client, "http://127.0.0.1:9/hooks")
    hooks.receivers.answer = lambda _request: httpx.Response(400)
    event = registered(uuid.uuid4(), owner.organization_id)
    await hooks.deliver(event)
    await sql(
        hooks.database_url,
        "UPDATE webhook_delivery SET queued_at = now() - interval '4 days'",
    )
    assert await hooks.run() == 1
    [delivery] = await _deliveries(hooks, owner, hook)
    assert delivery["status"] == "failed"
    assert delivery["next_attempt_at"] is None
    assert (await _deliveries(hooks, owner, hook))[0]["attempts"] == 1

    hooks.receivers.answer = lambda _request: httpx.Response(202)
    url = f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver"
    again = await hooks.client.post(url, headers=owner.headers)
    assert again.status_code == 202
    assert again.json()["status"] == "pending"
    assert await hooks.run() == 1
    [done] = await _deliveries(hooks, owner, hook)
    assert done["status"] == "delivered"
    assert [item.headers["webhook-id"] for item in hooks.receivers.received] == [event["id"]] * 2
    others = await partners(hooks.client, 1)
    assert (await hooks.client.post(url, headers=others[0].headers)).status_code == 404


async def test_events_about_people_not_yet_known_wait_then_go_to_who_needs_no_access(
    hooks: WebhookGateway,
) -> None:
    owner, provider = await partners(hooks.client, 2)
    await owner.subscribe(hooks.client, "http://127.0.0.1:9/owner")
    await provider.subscribe(hooks.client, "http://127.0.0.1:9/provider")
    person = uuid.uuid4()
    fresh = pathway_opened(person, owner.organization_id)
    refused = await hooks.deliver(fresh, status=500)  # its relay sends it again later
    assert refused.json()["event_id"] == fresh["id"]
    old = datetime.now(UTC) - timedelta(hours=1)
    await hooks.deliver(
        pathway_opened(person, owner.organization_id, occurred_at=old),
        referral(person, owner.organization_id, provider.organization_id, occurred_at=old),
    )
    assert await hooks.run() == 1
    [only] = hooks.receivers.received
    assert only.url.endswith("/provider")


async def test_an_erasure_drops_what_is_pending_about_the_person(hooks: WebhookGateway) -> None:
    owner, shared = await partners(hooks.client, 2)
    await owner.subscribe(hooks.client, "http://127.0.0.1:9/owner")
    await shared.subscribe(hooks.client, "http://127.0.0.1:9/shared")
    person = uuid.uuid4()
    hooks.receivers.answer = lambda _request: httpx.Response(500)
    await hooks.deliver(
        registered(person, owner.organization_id),
        access(person, owner.organization_id, 2, **{shared.organization_id: ["profile"]}),
        pathway_opened(person, owner.organization_id),
    )
    assert await hooks.run() == 2  # the pathway is not shared: the owner's two
    hooks.receivers.clear()
    hooks.receivers.answer = lambda _request: httpx.Response(200)
    erased = {"beneficiary_id": str(person), "organization_id": owner.organization_id}
    await hooks.deliver(envelope("beneficiary.erased", erased))
    await sql(hooks.database_url, "UPDATE webhook_delivery SET next_attempt_at = now()")
    assert await hooks.run() == 2
    assert {item.json["type"] for item in hooks.receivers.received} == {"beneficiary.erased"}
    assert {item.url.rsplit("/", 1)[1] for item in hooks.receivers.received} == {
        "owner",
        "shared",
    }
    # After the erasure the person is gone for everyone: later events reach nobody.
    await hooks.deliver(pathway_opened(person, owner.organization_id))
    assert await hooks.run() == 0


async def test_delivery_checks_the_address_again_and_treats_errors_as_failures(
    hooks: WebhookGateway,
) -> None:
    (owner,) = await partners(hooks.client, 1)
    hook = await owner.subscribe(hooks.client, "https://hooks.partner.example:8443/in")
    ping = await hooks.client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=owner.headers)
    assert ping.status_code == 202
    sni: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sni.append(request.extensions["sni_hostname"])
        return httpx.Response(200)

    hooks.receivers.answer = answer
    assert await hooks.run() == 1
    [item] = hooks.receivers.received
    assert item.url == f"https://{PUBLIC_ADDRESS}:8443/in"  # connected to the checked address
    assert item.headers["host"] == "hooks.partner.example:8443"
    assert sni == ["hooks.partner.example"]
    assert verified(item, hook["secret"])["type"] == "webhook.ping"

    async def rebound(_host: str, _port: int) -> list[str]:
        return ["192.168.0.10"]  # the name now points inside the network

    rebinding = WebhookDispatcher(
        hooks.app.state.sessions,
        hooks.policy,
        transport=hooks.receivers.transport(),
        resolver=rebound,
    )
    try:
        await hooks.client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=owner.headers)
        assert await rebinding.deliver_due() == 1
    finally:
        await rebinding.stop()
    assert len(hooks.receivers.received) == 1  # nothing was sent
    latest = (await _deliveries(hooks, owner, hook))[0]
    # The same words as for a name that does not resolve: no oracle of internal names.
    assert "does not resolve to a public address" in latest["last_error"]

    def failing(request: httpx.Request) -> httpx.Response:
        if request.headers["webhook-id"] == first_id:
            raise httpx.ConnectError("refused")
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/"})

    for _ in range(2):
        await hooks.client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=owner.headers)
    newest = await _deliveries(hooks, owner, hook)
    first_id = newest[0]["event_id"]
    hooks.receivers.answer = failing
    assert await hooks.run() == 2
    errors = {
        item["event_id"]: item["last_error"] for item in await _deliveries(hooks, owner, hook)
    }
    assert errors[first_id] == "ConnectError"
    assert errors[newest[1]["event_id"]] == "HTTP 302"  # redirects are not followed


async def test_the_log_keeps_its_retention(hooks: WebhookGateway) -> None:
    (owner,) = await partners(hooks.client, 1)
    await owner.subscribe(hooks.client, "http://127.0.0.1:9/hooks")
    await hooks.deliver(registered(uuid.uuid4(), owner.organization_id))
    await hooks.deliver(registered(uuid.uuid4(), owner.organization_id))
    assert await hooks.run() == 2
    await sql(
        hooks.database_url,
        "UPDATE webhook_delivery SET created_at = now() - interval '31 days' "
        "WHERE id = (SELECT id FROM webhook_delivery LIMIT 1)",
    )
    assert await hooks.dispatcher.purge() == 1
