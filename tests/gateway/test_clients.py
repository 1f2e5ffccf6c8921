"""API clients for partner systems: org admins manage their own organisation's clients."""

from __future__ import annotations

import httpx

from tests.gateway.helpers import two_organizations


async def test_clients_are_scoped_to_the_organisation(gateway: httpx.AsyncClient) -> None:
    orgs = await two_organizations(gateway)
    created = await gateway.post(
        "/api/v1/clients", json={"name": "A's case system"}, headers=orgs.admin_a.headers
    )
    assert created.status_code == 201
    client = created.json()
    assert client["organization_id"] == orgs.a
    assert client["roles"] == ["partner_system"]
    assert client["client_id"].startswith("pc_")
    assert len(client["client_secret"]) >= 40
    assert created.headers["cache-control"] == "no-store"

    listed = (await gateway.get("/api/v1/clients", headers=orgs.admin_a.headers)).json()
    assert [item["id"] for item in listed["items"]] == [client["id"]]
    assert "client_secret" not in listed["items"][0]
    assert (await gateway.get("/api/v1/clients", headers=orgs.admin_b.headers)).json()[
        "items"
    ] == []
    other = await gateway.get(f"/api/v1/clients/{client['id']}", headers=orgs.admin_b.headers)
    assert other.status_code == 404
    revoke_other = await gateway.delete(
        f"/api/v1/clients/{client['id']}", headers=orgs.admin_b.headers
    )
    assert revoke_other.status_code == 404
    operator = await gateway.post(
        "/api/v1/clients", json={"name": "x"}, headers=orgs.operator_a.headers
    )
    assert operator.status_code == 403
    elsewhere = await gateway.post(
        "/api/v1/clients",
        json={"name": "x", "organization_id": orgs.b},
        headers=orgs.admin_a.headers,
    )
    assert elsewhere.status_code == 403


async def test_revoking_is_idempotent(gateway: httpx.AsyncClient) -> None:
    orgs = await two_organizations(gateway)
    client = (
        await gateway.post("/api/v1/clients", json={"name": "c"}, headers=orgs.admin_a.headers)
    ).json()
    for _ in range(2):
        answer = await gateway.delete(
            f"/api/v1/clients/{client['id']}", headers=orgs.admin_a.headers
        )
        assert answer.status_code == 204
    read = (
        await gateway.get(f"/api/v1/clients/{client['id']}", headers=orgs.admin_a.headers)
    ).json()
    assert read["revoked_at"] is not None
