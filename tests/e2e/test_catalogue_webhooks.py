"""End to end: a provider publishes an offer and a service point to its cluster; a subscribed
member of the cluster receives ``offer.published`` (with the offer as it may read it, for a
``payload: resource`` subscription) and ``service_point.published``, then ``offer.withdrawn``
when it is closed; an organisation outside the cluster, subscribed to the same types, receives
none of them; the draft before was announced to nobody. Every body is the one the OpenAPI
documents."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import Organisation, bearer, eventually, organisation, token
from tests.e2e.test_webhooks import (
    Receiver,
    _each_body_is_the_documented_one,
    _ok,
    run_with_receiver,
)

pytestmark = pytest.mark.e2e

TYPES = ["offer.published", "offer.updated", "offer.withdrawn", "service_point.published"]


def test_a_cluster_member_hears_of_the_clusters_offers_and_a_stranger_does_not(
    stack: Stack,
) -> None:
    run_with_receiver(stack, _scenario)


def _subscribe(client: httpx.Client, receiver: Receiver, path: str, org: Organisation) -> str:
    body = {"url": receiver.url(path), "event_types": TYPES, "payload": "resource"}
    hook = _ok(client.post("/api/v1/webhooks", json=body, headers=org.admin))
    receiver.secrets[path] = hook["secret"]
    hook_id: str = hook["id"]
    return hook_id


def _patch(client: httpx.Client, url: str, org: Organisation, body: dict[str, str]) -> None:
    read = client.get(url, headers=org.admin)
    _ok(client.patch(url, json=body, headers={**org.admin, "If-Match": read.headers["etag"]}))


def _scenario(client: httpx.Client, receiver: Receiver) -> None:
    root = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
    hub = organisation(client, "Hub Roma")
    member = organisation(client, "Member NGO")
    provider = organisation(client, "Cluster training centre", kind="vet_provider")
    stranger = organisation(client, "NGO outside the cluster")
    body = {
        "name": f"MEIC Roma {uuid.uuid4().hex[:6]}",
        "territory_codes": ["ITI43"],
        "coordinator_organization_id": hub.id,
    }
    cluster = _ok(client.post("/api/v1/clusters", json=body, headers=root))
    for org, roles in ((member, ["ngo_support"]), (provider, ["training_provider"])):
        _ok(
            client.post(
                f"/api/v1/clusters/{cluster['id']}/members",
                json={"organization_id": org.id, "roles": roles},
                headers=root,
            )
        )
    _subscribe(client, receiver, "/member", member)
    stranger_hook = _subscribe(client, receiver, "/stranger", stranger)

    # A draft: nobody hears of it; published (out of its draft): the cluster's members do.
    draft = _ok(
        client.post(
            "/api/v1/offers",
            json={
                "type": "training",
                "title": "Welding, evening course",
                "seats": 8,
                "status": "draft",
                "cluster_ids": [cluster["id"]],
            },
            headers=provider.admin,
        )
    )
    url = f"/api/v1/offers/{draft['id']}"
    _patch(client, url, provider, {"status": "open"})
    # The stack's first catalogue event (its first resource read) once took over 15 s.
    eventually(lambda: receiver.types("/member") == ["offer.published"], timeout=30.0)
    [published] = receiver.events["/member"].values()
    assert published["data"]["offer_id"] == draft["id"]
    assert published["data"]["organization_id"] == provider.id
    assert published["data"]["cluster_ids"] == [cluster["id"]]
    assert (published["data"]["status"], published["data"]["version"]) == ("open", 2)
    assert published["data"]["resource"]["title"] == "Welding, evening course"
    assert "readers" not in published["data"]

    point = _ok(
        client.post(
            "/api/v1/service-points",
            json={
                "name": "Sportello lavoro Esquilino",
                "kind": "job_desk",
                "need_domains": ["employment"],
                "tier": "low_threshold",
                "territory_code": "IT_058091",
                "access_mode": "drop_in",
                "cluster_ids": [cluster["id"]],
            },
            headers=provider.admin,
        )
    )
    _patch(client, url, provider, {"status": "closed"})
    eventually(
        lambda: (
            receiver.types("/member")
            == ["offer.published", "offer.withdrawn", "service_point.published"]
        )
    )
    by_type = {body["type"]: body["data"] for body in receiver.events["/member"].values()}
    assert by_type["service_point.published"]["service_point_id"] == point["id"]
    assert by_type["service_point.published"]["resource"]["name"] == "Sportello lavoro Esquilino"
    withdrawn = by_type["offer.withdrawn"]
    assert (withdrawn["offer_id"], withdrawn["reason"]) == (draft["id"], "closed")
    assert withdrawn["resource"]["status"] == "closed"  # a closed offer is still read

    # The stranger's endpoint works, and heard of none of it.
    pinged = client.post(f"/api/v1/webhooks/{stranger_hook}/ping", headers=stranger.admin)
    _ok(pinged)
    eventually(lambda: receiver.types("/stranger") == ["webhook.ping"])
    log = _ok(client.get(f"/api/v1/webhooks/{stranger_hook}/deliveries", headers=stranger.admin))
    assert [item["event_type"] for item in log["items"]] == ["webhook.ping"]
    assert receiver.forged == 0
    _each_body_is_the_documented_one(
        client,
        receiver,
        frozenset(
            {"offer.published", "offer.withdrawn", "service_point.published", "webhook.ping"}
        ),
    )
