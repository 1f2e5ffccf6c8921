"""A matching service whose organisations are real ones of a real gateway (run by uvicorn on its
own database), and rows written straight into matching's database for the measures: offers
published to clusters, referrals with their history, people's residence."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
import pytest
import uvicorn

from services.gateway.app import create_app as create_gateway
from services.gateway.db.models import metadata as gateway_metadata
from services.matching.app import create_app
from shared.testing.tokens import TestIssuer
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, gateway_settings
from tests.matching.conftest import INTERNAL, empty_cases, matching_settings
from tests.support import Org, serve, sql, truncate
from tools.processes import free_port

CLUSTERS = "/api/v1/clusters"


@dataclass
class World:
    matching: httpx.AsyncClient
    gateway: httpx.AsyncClient
    root: dict[str, str]
    issuer: TestIssuer
    database: str

    async def org(self) -> Org:
        """An organisation the gateway knows, and its people as tokens."""
        body = {"name": f"Org {uuid.uuid4().hex[:8]}", "type": "ngo"}
        answer = await self.gateway.post("/api/v1/organizations", json=body, headers=self.root)
        assert answer.status_code == 201, answer.text
        return Org(self.issuer, id=uuid.UUID(answer.json()["id"]))

    def as_(self, org: Org, *roles: str) -> dict[str, str]:
        return self.issuer.headers(roles=roles, organization_id=org.id)

    def coordinator(self, org: Org) -> dict[str, str]:
        return self.as_(org, "cluster_coordinator")

    @property
    def admin(self) -> dict[str, str]:
        return self.issuer.headers(roles=("platform_admin",))

    async def cluster(self, coordinator: Org, **fields: Any) -> dict[str, Any]:
        body = {
            "name": f"Cluster {uuid.uuid4().hex[:8]}",
            "territory_codes": ["ITI43"],
            "coordinator_organization_id": str(coordinator.id),
            **fields,
        }
        answer = await self.matching.post(CLUSTERS, json=body, headers=self.admin)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    async def member(self, cluster: dict[str, Any], org: Org, *roles: str) -> None:
        answer = await self.matching.post(
            f"{CLUSTERS}/{cluster['id']}/members",
            json={"organization_id": str(org.id), "roles": list(roles or ("training_provider",))},
            headers=self.admin,
        )
        assert answer.status_code == 201, answer.text

    async def offer(
        self,
        owner: Org,
        *,
        seats: int = 4,
        kind: str = "internship",
        status: str = "open",
        starts_on: date | None = None,
        cluster_ids: tuple[str, ...] = (),
    ) -> uuid.UUID:
        offer_id = uuid.uuid4()
        await sql(
            self.database,
            "INSERT INTO offer (id, organization_id, type, title, status, seats, seats_taken, "
            "required_skills, preferred_skills, languages_of_instruction, permit_must_allow_work,"
            " version, created_by, starts_on, cluster_ids) VALUES ($1, $2, $3, 'An offer', $4, $5,"
            " 0, '{}', '{}', '{}', false, 1, 'test', $6, $7::uuid[])",
            offer_id,
            owner.id,
            kind,
            status,
            seats,
            starts_on,
            [uuid.UUID(i) for i in cluster_ids],
        )
        return offer_id

    async def referral(
        self,
        offer_id: uuid.UUID,
        referrer: Org,
        provider: Org,
        moves: list[tuple[str, datetime]],
        *,
        cluster_id: str | None = None,
        beneficiary_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """A referral that went through ``moves`` (status, when), the last one its status."""
        history = [{"status": status, "at": at.isoformat(), "by": "test"} for status, at in moves]
        answered = next((at for status, at in moves if status in ("accepted", "rejected")), None)
        enrolled = next((at for status, at in moves if status == "enrolled"), None)
        person = beneficiary_id or uuid.uuid4()
        await sql(
            self.database,
            "INSERT INTO referral (id, beneficiary_id, offer_id, organization_id, "
            "provider_organization_id, status, history, version, created_by, cluster_id, "
            "answered_at, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 1, 'test', $8,"
            " $9, $10)",
            uuid.uuid4(),
            person,
            offer_id,
            referrer.id,
            provider.id,
            moves[-1][0],
            json.dumps(history),
            uuid.UUID(cluster_id) if cluster_id else None,
            answered,
            enrolled,
        )
        return person

    async def resident(self, person: uuid.UUID, owner: Org, territory_code: str | None) -> None:
        await sql(
            self.database,
            "INSERT INTO candidate_profile (beneficiary_id, organization_id, profile, "
            "territory_code, updated_at) VALUES ($1, $2, '{}'::jsonb, $3, now())",
            person,
            owner.id,
            territory_code,
        )


@pytest.fixture(name="world")
async def cluster_world(
    matching_database: str, gateway_database: str, issuer: TestIssuer
) -> AsyncIterator[World]:
    await truncate(gateway_database, gateway_metadata)
    await empty_cases(matching_database)
    port = free_port()
    gateway = create_gateway(
        gateway_settings(gateway_database, internal_token=INTERNAL, webhook_deliver=False)
    )
    server = uvicorn.Server(uvicorn.Config(gateway, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    settings = matching_settings(matching_database, gateway_url=f"http://127.0.0.1:{port}")
    try:
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as gateway_client,
            serve(create_app(settings, verifier=issuer.verifier_factory())) as matching,
        ):
            form = {"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            signed_in = await gateway_client.post("/api/v1/auth/token", data=form)
            root = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            yield World(matching, gateway_client, root, issuer, matching_database)
    finally:
        server.should_exit = True
        await task
