"""What the gateway holds about a person, for intake's GDPR export: their app account, its
sign-ins and the webhook deliveries about them; behind the internal token, never public."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.gateway.webhook_helpers import INTERNAL_TOKEN, WebhookGateway, envelope, partners
from tests.gateway.webhook_helpers import webhook_gateway as gateway_with_webhooks
from tests.support import sql


@pytest.fixture
async def hooks(gateway_database: str) -> AsyncIterator[WebhookGateway]:
    async with gateway_with_webhooks(gateway_database) as gateway:
        yield gateway


async def test_the_export_holds_the_account_its_sign_ins_and_the_deliveries(
    hooks: WebhookGateway,
) -> None:
    (owner,) = await partners(hooks.client, 1)
    await owner.subscribe(hooks.client, "https://owner.partner.example/hooks")
    person, other = uuid.uuid4(), uuid.uuid4()
    for someone in (person, other):
        await hooks.deliver(
            envelope(
                "beneficiary.registered",
                {
                    "beneficiary_id": str(someone),
                    "organization_id": owner.organization_id,
                    "profile": {"nationality": "GH"},
                },
            )
        )
    now = datetime.now(UTC)
    account_id = uuid.uuid4()
    await sql(
        hooks.database_url,
        "INSERT INTO user_account (id, organization_id, email, full_name, password_hash, roles,"
        " beneficiary_id, is_active, version, last_login_at)"
        " VALUES ($1, $2, 'p-abcdefghjk', '', '$argon2id$secret-hash', '{beneficiary}', $3,"
        " true, 1, $4)",
        account_id,
        uuid.UUID(owner.organization_id),
        person,
        now,
    )
    await sql(
        hooks.database_url,
        "INSERT INTO refresh_token (id, family_id, token_hash, user_id, issued_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        uuid.uuid4(),
        uuid.uuid4(),
        b"\x01" * 32,
        account_id,
        now,
        now + timedelta(days=30),
    )
    url = f"/internal/beneficiaries/{person}/export"

    assert (await hooks.client.get(url)).status_code == 401
    wrong = await hooks.client.get(url, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    answer = await hooks.client.get(url, headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    (account,) = document["accounts"]
    assert account["handle"] == "p-abcdefghjk"
    assert account["active"] is True
    assert account["password_set"] is True
    assert account["last_sign_in_at"] is not None
    (signed_in,) = document["sessions"]
    assert signed_in["revoked_at"] is None
    assert signed_in["expires_at"] > signed_in["issued_at"]
    (delivery,) = document["webhook_deliveries"]
    assert delivery["event_type"] == "beneficiary.registered"
    assert delivery["recipient_organization_id"] == owner.organization_id
    assert document["sign_in_failures"] == []
    # Never a secret: no password hash, no token hash, no endpoint.
    assert "argon2" not in answer.text
    assert "token_hash" not in answer.text
    assert "partner.example" not in answer.text

    nobody = await hooks.client.get(
        f"/internal/beneficiaries/{uuid.uuid4()}/export",
        headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"},
    )
    assert nobody.json() == {
        "accounts": [],
        "sessions": [],
        "sign_in_failures": [],
        "webhook_deliveries": [],
        "access": [],
    }
    # Not in the public API: not in the document, not reachable as /api/v1/...
    spec = (await hooks.client.get("/openapi.json")).json()
    assert not any(path.startswith("/internal") for path in spec["paths"])
