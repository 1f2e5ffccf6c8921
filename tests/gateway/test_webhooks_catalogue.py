"""The catalogue's webhooks (``offer.*``, ``service_point.*``): each goes to the organisations
matching names in the event (or to every organisation but those it names), never to another,
with the entry's ids and states and never the readers themselves."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from services.gateway.webhooks import audience
from services.gateway.webhooks.catalogue import CATALOGUE
from tests.gateway.webhook_helpers import (
    Partner,
    WebhookGateway,
    envelope,
    partners,
    verified,
    webhook_gateway,
)

NOW = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
PROVIDER, MEMBER, STRANGER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def offer(
    readers: dict[str, Any], status: str = "open", reason: str | None = None
) -> dict[str, Any]:
    return {
        "offer_id": str(uuid.uuid4()),
        "organization_id": str(PROVIDER),
        "type": "training",
        "title": "a producer's mistake: text never leaves",
        "status": status,
        "cluster_ids": [str(uuid.uuid4())],
        "seats": 12,
        "starts_on": "2026-04-13",
        "ends_on": None,
        "version": 3,
        "reason": reason,
        "readers": readers,
    }


def point(readers: dict[str, Any]) -> dict[str, Any]:
    return {
        "service_point_id": str(uuid.uuid4()),
        "organization_id": str(PROVIDER),
        "kind": "legal_aid",
        "tier": "low_threshold",
        "need_domains": ["documents_legal"],
        "territory_code": "ITI43",
        "access_mode": "drop_in",
        "status": "active",
        "cluster_ids": [],
        "version": 1,
        "name": "a producer's mistake: text never leaves",
        "reason": None,
        "readers": readers,
    }


def test_an_entry_goes_to_the_readers_matching_names_with_what_the_catalogue_shows() -> None:
    named = {"organization_ids": [str(PROVIDER), str(MEMBER)]}
    for kind, payload in (
        ("offer.published", offer(named)),
        ("offer.updated", offer(named)),
        ("offer.withdrawn", offer(named, "closed", "closed")),
        ("service_point.published", point(named)),
        ("service_point.updated", point(named)),
        ("service_point.closed", {**point(named), "reason": "unshared"}),
    ):
        decision = audience.decide(kind, payload, None, NOW)
        assert decision is not None
        assert decision.everyone is None
        got = {recipient.organization_id: recipient.data for recipient in decision.recipients}
        assert set(got) == {PROVIDER, MEMBER}  # never the stranger
        for data in got.values():
            assert set(data) == set(CATALOGUE[kind].example), kind
            assert "readers" not in data
    nobody = audience.decide("offer.published", offer({"organization_ids": []}), None, NOW)
    assert nobody is not None
    assert (nobody.recipients, nobody.everyone) == ([], None)


def test_an_entry_published_to_no_cluster_goes_to_everyone_but_those_named() -> None:
    decision = audience.decide(
        "offer.withdrawn",
        offer({"everyone": True, "excluded_organization_ids": [str(MEMBER)]}, reason="unshared"),
        None,
        NOW,
    )
    assert decision is not None
    assert decision.recipients == []
    assert decision.everyone is not None
    assert decision.everyone.excluded == {MEMBER}
    assert set(decision.everyone.data) == {"offer_id", "organization_id", "type", "reason"}
    assert decision.everyone.data["reason"] == "unshared"


@pytest.fixture
async def hooks(gateway_database: str) -> AsyncIterator[WebhookGateway]:
    async with webhook_gateway(gateway_database) as gateway:
        yield gateway


def _received(hooks: WebhookGateway, hook: dict[Partner, dict[str, Any]], who: Partner) -> Any:
    host = httpx.URL(hook[who]["url"]).netloc.decode()
    return [verified(item, hook[who]["secret"]) for item in hooks.receivers.to(host)]


async def test_deliveries_reach_the_named_readers_or_everyone_but_the_excluded(
    hooks: WebhookGateway,
) -> None:
    provider, member, stranger, unsubscribed = await partners(hooks.client, 4)
    hook = {
        org: await org.subscribe(
            hooks.client,
            f"https://{name}.partner.example/hooks",
            ["offer.published", "offer.withdrawn", "service_point.published"],
        )
        for name, org in (("provider", provider), ("member", member), ("stranger", stranger))
    }
    await unsubscribed.subscribe(
        hooks.client, "https://unsubscribed.partner.example/hooks", ["pathway.opened"]
    )
    in_cluster = offer({"organization_ids": [provider.organization_id, member.organization_id]})
    in_cluster["organization_id"] = provider.organization_id
    everywhere = point({"everyone": True, "excluded_organization_ids": [member.organization_id]})
    events = [
        envelope("offer.published", in_cluster, source="matching"),
        envelope("service_point.published", everywhere, source="matching"),
    ]
    await hooks.deliver(*events)
    await hooks.deliver(*events)  # a relay's redelivery: nothing queued twice
    assert await hooks.run() == 4  # the offer to two; the point to the provider and the stranger

    def types(org: Partner) -> list[str]:
        return sorted(body["type"] for body in _received(hooks, hook, org))

    assert types(provider) == ["offer.published", "service_point.published"]
    assert types(member) == ["offer.published"]  # excluded from the point's
    assert types(stranger) == ["service_point.published"]  # never the cluster's offer
    [to_member] = _received(hooks, hook, member)
    assert to_member["data"] == {
        key: in_cluster[key] for key in CATALOGUE["offer.published"].example
    }
    everything = b"".join(item.body for item in hooks.receivers.received)
    assert b"readers" not in everything
    assert b"never leaves" not in everything
