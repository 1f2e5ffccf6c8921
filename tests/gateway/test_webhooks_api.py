"""``/api/v1/webhooks``: who manages subscriptions, what is refused as a target, the secret shown
once, updates with If-Match, rotation, and nobody seeing another organisation's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.gateway.webhooks import signing
from tests.gateway.helpers import bearer, two_organizations
from tests.gateway.webhook_helpers import WebhookGateway, partners, webhook_gateway

HOOK = {"url": "https://hooks.partner.example/ponte", "event_types": ["beneficiary.registered"]}


@pytest.fixture
async def hooks(gateway_database: str) -> AsyncIterator[WebhookGateway]:
    # Loopback refused here, as in production.
    async with webhook_gateway(gateway_database, webhook_allow_loopback=False) as gateway:
        yield gateway


async def test_org_admins_and_partner_systems_manage_their_own_organisations_webhooks(
    hooks: WebhookGateway,
) -> None:
    client = hooks.client
    orgs = await two_organizations(client)
    created = await client.post("/api/v1/webhooks", json=HOOK, headers=orgs.admin_a.headers)
    assert created.status_code == 201, created.text
    hook = created.json()
    assert created.headers["location"] == f"/api/v1/webhooks/{hook['id']}"
    assert created.headers["cache-control"] == "no-store"
    assert signing.secret_bytes(hook["secret"])
    assert hook["organization_id"] == orgs.a
    assert hook["status"] == "active"

    listed = (await client.get("/api/v1/webhooks", headers=orgs.admin_a.headers)).json()
    assert [item["id"] for item in listed["items"]] == [hook["id"]]
    assert "secret" not in listed["items"][0]
    read = await client.get(f"/api/v1/webhooks/{hook['id']}", headers=orgs.admin_a.headers)
    assert "secret" not in read.json()
    assert read.headers["etag"] == '"1"'

    assert (await client.get("/api/v1/webhooks", headers=orgs.admin_b.headers)).json()[
        "items"
    ] == []
    assert (
        await client.get("/api/v1/webhooks", headers=orgs.operator_a.headers)
    ).status_code == 403
    for other in (orgs.admin_b.headers, orgs.operator_a.headers):
        for method in ("GET", "DELETE"):
            answer = await client.request(method, f"/api/v1/webhooks/{hook['id']}", headers=other)
            assert answer.status_code == 404
        deliveries = f"/api/v1/webhooks/{hook['id']}/deliveries"
        assert (await client.get(deliveries, headers=other)).status_code == 404
    operator = await client.post("/api/v1/webhooks", json=HOOK, headers=orgs.operator_a.headers)
    assert operator.status_code == 403

    # A partner system of organisation B subscribes its own endpoint.
    credentials = (
        await client.post(
            "/api/v1/clients", json={"name": "B's system"}, headers=orgs.admin_b.headers
        )
    ).json()
    token = await client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
    )
    system = bearer(token.json()["access_token"])
    by_system = await client.post("/api/v1/webhooks", json=HOOK, headers=system)
    assert by_system.status_code == 201
    assert by_system.json()["organization_id"] == orgs.b
    mine = (await client.get("/api/v1/webhooks", headers=orgs.admin_b.headers)).json()["items"]
    assert [item["id"] for item in mine] == [by_system.json()["id"]]

    deleted = await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=orgs.admin_a.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/api/v1/webhooks/{hook['id']}", headers=orgs.admin_a.headers)
    assert gone.status_code == 404


REFUSED = {
    "http://127.0.0.1:8080/hook": "loopback",
    "http://localhost/hook": "does not resolve to a public address",
    "https://169.254.169.254/latest/meta-data": "link-local",
    "https://10.0.0.5/hook": "private",
    # resolves to 10.1.2.3, but answers as a name that does not resolve (no existence oracle)
    "https://hooks.internal.example/x": "does not resolve to a public address",
    "https://nowhere.internal.example/x": "does not resolve to a public address",
    "https://[64:ff9b::a9fe:a9fe]/x": "link-local",  # NAT64 of the cloud metadata address
    "http://hooks.partner.example/hook": "https",
    "https://user:secret@hooks.partner.example/": "credentials",
    "file:///etc/passwd": "http and https",
}


async def test_targets_inside_the_network_are_refused(hooks: WebhookGateway) -> None:
    (partner,) = await partners(hooks.client, 1)
    for url, reason in REFUSED.items():
        answer = await hooks.client.post(
            "/api/v1/webhooks", json={**HOOK, "url": url}, headers=partner.headers
        )
        assert answer.status_code == 422, (url, answer.text)
        problem = answer.json()
        assert reason in problem["detail"], url
        assert problem["errors"][0]["field"] == "body.url"


async def test_bodies_are_validated(hooks: WebhookGateway) -> None:
    mine, other = await partners(hooks.client, 2)
    admin = mine.headers
    for body in (
        {**HOOK, "event_types": ["beneficiary.access_changed"]},  # internal, not a webhook
        {**HOOK, "event_types": []},
        {**HOOK, "secret": "whsec_c2hvcnQ="},  # too short
        {**HOOK, "secret": "not-a-whsec-secret-at-all-0123456789"},
        {**HOOK, "organization_id": other.organization_id},  # always the caller's own
    ):
        answer = await hooks.client.post("/api/v1/webhooks", json=body, headers=admin)
        assert answer.status_code == 422, body
    own = signing.new_secret()
    chosen = await hooks.client.post(
        "/api/v1/webhooks",
        json={**HOOK, "secret": own, "event_types": ["pathway.closed", "pathway.closed"]},
        headers=admin,
    )
    assert chosen.status_code == 201
    assert chosen.json()["secret"] == own
    assert chosen.json()["event_types"] == ["pathway.closed"]
    listed = await hooks.client.get("/api/v1/webhooks/event-types", headers=admin)
    catalogue = listed.json()["items"]
    assert "referral.status_changed" in {item["type"] for item in catalogue}
    assert all(item["example"] for item in catalogue)


async def test_changes_need_if_match_and_disabling_is_reversible(hooks: WebhookGateway) -> None:
    (partner,) = await partners(hooks.client, 1)
    admin = partner.headers
    hook = (await hooks.client.post("/api/v1/webhooks", json=HOOK, headers=admin)).json()
    url = f"/api/v1/webhooks/{hook['id']}"
    change = {"event_types": ["pathway.opened", "pathway.closed"]}
    assert (await hooks.client.patch(url, json=change, headers=admin)).status_code == 428
    stale = await hooks.client.patch(url, json=change, headers={**admin, "If-Match": '"7"'})
    assert stale.status_code == 412
    changed = await hooks.client.patch(url, json=change, headers={**admin, "If-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.json()["event_types"] == ["pathway.closed", "pathway.opened"]
    disabled = await hooks.client.patch(
        url, json={"enabled": False}, headers={**admin, "If-Match": changed.headers["etag"]}
    )
    assert disabled.json()["status"] == "disabled"
    assert disabled.json()["disabled_reason"] == "Disabled by a user."
    ping = await hooks.client.post(f"{url}/ping", headers=admin)
    assert ping.status_code == 409
    enabled = await hooks.client.patch(
        url, json={"enabled": True}, headers={**admin, "If-Match": disabled.headers["etag"]}
    )
    assert enabled.json()["status"] == "active"
    assert enabled.json()["disabled_reason"] is None
    refused = await hooks.client.patch(
        url,
        json={"url": "https://10.0.0.1/"},
        headers={**admin, "If-Match": enabled.headers["etag"]},
    )
    assert refused.status_code == 422


async def test_rotation_returns_a_new_secret_once(hooks: WebhookGateway) -> None:
    mine, other = await partners(hooks.client, 2)
    admin = mine.headers
    hook = (await hooks.client.post("/api/v1/webhooks", json=HOOK, headers=admin)).json()
    rotated = await hooks.client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=admin)
    assert rotated.status_code == 200
    assert rotated.headers["cache-control"] == "no-store"
    assert rotated.json()["secret"] != hook["secret"]
    assert signing.secret_bytes(rotated.json()["secret"])
    elsewhere = await hooks.client.post(
        f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=other.headers
    )
    assert elsewhere.status_code == 404
