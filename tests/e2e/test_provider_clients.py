"""End to end: an employer's own system, an API client with the role `provider` (least
privilege), publishes an offer and answers a referral as the employer's staff do, and may do
nothing a case system does (register people, read them); an org admin may not give a client
any other role."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import bearer, consent_to_matching, organisation, refer

pytestmark = pytest.mark.e2e

OFFER = {"type": "job", "title": "Warehouse operative", "seats": 3, "status": "open",
         "municipality": "Latina"}  # fmt: skip
PERSON = {"given_name": "Kwabena", "family_name": "Owusu", "birth_date": "1996-04-02",
          "sex": "male", "nationality": "GH", "municipality": "Latina"}  # fmt: skip


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_providers_system_publishes_offers_and_answers_referrals_and_nothing_more(
    stack: Stack,
) -> None:
    with stack.client() as client:
        employer = organisation(client, "Logistica Pontina", kind="employer")
        ngo = organisation(client, "Caritas Latina")
        for roles in (["org_admin"], ["beneficiary"], [], ["provider", "provider", "provider"]):
            refused = client.post(
                "/api/v1/clients", json={"name": "feed", "roles": roles}, headers=employer.admin
            )
            assert refused.status_code == 422, (roles, refused.text)
        created = _ok(
            client.post(
                "/api/v1/clients",
                json={"name": "Vacancy feed", "roles": ["provider"]},
                headers=employer.admin,
            )
        )
        assert created["roles"] == ["provider"]
        grant = {"grant_type": "client_credentials", "client_id": created["client_id"],
                 "client_secret": created["client_secret"]}  # fmt: skip
        system = bearer(_ok(client.post("/api/v1/auth/token", data=grant))["access_token"])

        offer = _ok(client.post("/api/v1/offers", json=OFFER, headers=system))
        assert offer["organization_id"] == employer.id
        person = _ok(client.post("/api/v1/beneficiaries", json=PERSON, headers=ngo.operator))
        consent_to_matching(client, person["id"], ngo.operator)
        referral = refer(client, ngo.operator, person["id"], offer["id"])
        url = f"/api/v1/referrals/{referral['id']}"
        seen = _ok(client.get(url, headers=system))
        assert seen["person"]["given_name"] == "Kwabena"  # the card, as the employer's staff see it
        accepted = _ok(client.patch(url, json={"status": "accepted"}, headers=system))
        assert accepted["status"] == "accepted"

        # Nothing of a case system's: no registering, no reading people, no pathways.
        assert client.post("/api/v1/beneficiaries", json=PERSON, headers=system).status_code == 403
        assert client.get(f"/api/v1/beneficiaries/{person['id']}", headers=system).status_code in (
            403,
            404,
        )
        listed = _ok(client.get("/api/v1/pathways", headers=system))
        assert listed["items"] == []  # as the employer's staff: no one's pathway
