from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.pathways.app import create_app
from services.pathways.db.models import metadata
from services.pathways.domain.rights import RIGHTS_ITEMS
from services.pathways.settings import PathwaysSettings
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.support import Org, deliver_events, envelope, migrated_database, serve, truncate

INTERNAL = "pathways-test-token"


@pytest.fixture(scope="session")
async def pathways_database(database_factory: DatabaseFactory) -> str:
    return await migrated_database(database_factory, "pathways")


@pytest.fixture
async def pathways(pathways_database: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    await truncate(pathways_database, metadata)
    settings = PathwaysSettings(
        database_url=pathways_database, migrate_on_start=False, internal_token=INTERNAL
    )
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        yield client


@pytest.fixture
def orgs(issuer: TestIssuer) -> tuple[Org, Org, Org]:
    return Org(issuer), Org(issuer), Org(issuer)


async def deliver(client: httpx.AsyncClient, *events: dict[str, Any]) -> None:
    """Intake's events, delivered the way its relay does."""
    await deliver_events(client, INTERNAL, *events)


async def person(
    client: httpx.AsyncClient,
    owner: Org,
    *,
    shared_with: list[tuple[Org, list[str]]] = (),  # type: ignore[assignment]
    version: int = 1,
    beneficiary_id: uuid.UUID | None = None,
    **profile: Any,
) -> uuid.UUID:
    """A person registered by ``owner`` (and shared as given), as intake would announce them."""
    beneficiary_id = beneficiary_id or uuid.uuid4()
    details = {
        "sex": "male",
        "nationality": "EG",
        "birth_date": "2001-04-17",
        "municipality": "Latina",
        **profile,
    }
    await deliver(
        client,
        envelope(
            "beneficiary.registered",
            {
                "beneficiary_id": str(beneficiary_id),
                "organization_id": str(owner.id),
                "profile": details,
            },
        ),
        envelope(
            "beneficiary.access_changed",
            {
                "beneficiary_id": str(beneficiary_id),
                "owner_organization_id": str(owner.id),
                "grants": [
                    {"organization_id": str(org.id), "sections": sections}
                    for org, sections in shared_with
                ],
                "matching_consent": False,
                "version": version,
            },
        ),
    )
    return beneficiary_id


async def open_pathway(
    client: httpx.AsyncClient, org: Org, beneficiary_id: uuid.UUID
) -> dict[str, Any]:
    answer = await client.post(
        "/api/v1/pathways", json={"beneficiary_id": str(beneficiary_id)}, headers=org.operator
    )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


ASSESSMENT = {
    "territorial_context": {"municipality": "Latina", "services_within_reach": ["CPI Latina"]},
    "labour_market_position": "informal",
    "needs": [
        {"domain": "documents_legal", "severity": "high", "conditions": ["employment", "housing"]},
        {"domain": "employment", "severity": "high"},
        {"domain": "housing", "severity": "medium"},
    ],
}
RESPONSE = {
    "actions": [{"type": "legal_aid", "title": "Permit renewal", "need": "documents_legal"}]
}
MONITORING: dict[str, Any] = {"progress": [], "notes": "Permit renewal filed"}
ADJUSTMENT = {
    "reason": "Add an Italian course",
    "add": [{"type": "language_course", "title": "Italian A2"}],
}
ALL_YES = {item.code: "yes" for item in RIGHTS_ITEMS}
STEP_PATHS = {
    "assess": ("assessments", ASSESSMENT),
    "respond": ("actions", RESPONSE),
    "monitor": ("monitoring", MONITORING),
    "adjust": ("adjustments", ADJUSTMENT),
    "verify_rights": ("rights-checks", {"answers": ALL_YES}),
}


async def step(
    client: httpx.AsyncClient,
    org: Org,
    pathway_id: str,
    kind: str,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    path, default = STEP_PATHS[kind]
    return await client.post(
        f"/api/v1/pathways/{pathway_id}/{path}",
        json=body if body is not None else default,
        headers=org.operator,
    )
