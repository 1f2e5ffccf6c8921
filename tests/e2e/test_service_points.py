"""End to end through the gateway: a desk publishes service points (one to every organisation, one
to the Rome cluster), every role reads what is published to it and nothing else, the list finds a
point in Roma from Lazio's code; an operator refers a person to a point, the desk answers, the
person sees it in the app and the catalogue of points stays closed to them.

Clusters and their members are written straight into matching's database: their API is built
apart."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.authorisation_world import APP_PASSWORD
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import Organisation, bearer, eventually, organisation, signed_in_user, token
from tests.support import sql

pytestmark = pytest.mark.e2e

POINTS = "/api/v1/service-points"
PROBLEM = "application/problem+json"
Headers = dict[str, str]
BODY: dict[str, Any] = {
    "name": "Sportello migranti Esquilino",
    "kind": "legal_aid",
    "need_domains": ["documents_legal"],
    "tier": "low_threshold",
    "territory_code": "IT_058091",  # Roma
    "access_mode": "both",
    "languages": ["it", "ar"],
    "opening_hours": [{"weekday": 2, "opens": "09:30", "closes": "13:00"}],
    "transport_access": [{"hub": "Roma Termini", "minutes": 8}],
    "cultural_mediators": True,
}


def _ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def _refused(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert (answer.status_code, answer.headers["content-type"]) == (status, PROBLEM), answer.text
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    return body


def _ids(client: httpx.Client, headers: Headers, **params: Any) -> set[str]:
    return {item["id"] for item in _ok(client.get(POINTS, params=params, headers=headers))["items"]}


def _user(client: httpx.Client, org: Organisation, role: str) -> Headers:
    return bearer(signed_in_user(client, org.admin, org.id, role, org.id[:6])[2])


def _partner(client: httpx.Client, org: Organisation) -> Headers:
    created = _ok(client.post("/api/v1/clients", json={"name": "desk"}, headers=org.admin), 201)
    form = {
        "grant_type": "client_credentials",
        "client_id": created["client_id"],
        "client_secret": created["client_secret"],
    }
    return bearer(_ok(client.post("/api/v1/auth/token", data=form))["access_token"])


def _cluster(url: str, coordinator: str, members: list[str]) -> str:
    """A cluster and its members, straight into matching's database."""

    async def write() -> str:
        cluster_id = uuid.uuid4()
        await sql(
            url,
            "INSERT INTO cluster (id, name, territory_codes, status, "
            "coordinator_organization_id, version, created_by) "
            "VALUES ($1, $2, '{ITI43}', 'active', $3, 1, 'e2e')",
            cluster_id,
            f"Cluster {cluster_id.hex[:6]}",
            uuid.UUID(coordinator),
        )
        for member in members:
            await sql(
                url,
                "INSERT INTO cluster_member (cluster_id, organization_id, roles, joined_on, "
                "version) VALUES ($1, $2, '{legal_support}', '2025-01-01', 1)",
                cluster_id,
                uuid.UUID(member),
            )
        return str(cluster_id)

    return asyncio.run(write())


def test_every_role_reads_the_points_published_to_it_and_only_the_desk_changes_them(
    stack: Stack,
) -> None:
    with stack.client() as client:
        root = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))  # the platform admin
        desk = organisation(client, "Sportello")
        caritas = organisation(client, "Caritas")
        nicosia = organisation(client, "Nicosia")
        capitale = organisation(client, "Roma Capitale", kind="local_authority")
        provider = _user(client, desk, "provider")
        coordinator = _user(client, capitale, "cluster_coordinator")
        partner = _partner(client, caritas)
        rome = _cluster(stack.databases["matching"], capitale.id, [desk.id, caritas.id])
        _cluster(stack.databases["matching"], capitale.id, [nicosia.id])

        created = client.post(POINTS, json=BODY, headers=provider)
        everyone = _ok(created, 201)
        assert created.headers["location"] == f"{POINTS}/{everyone['id']}"
        in_rome = _ok(
            client.post(POINTS, json={**BODY, "cluster_ids": [rome]}, headers=desk.admin), 201
        )
        both = {everyone["id"], in_rome["id"]}

        # (Lists are filtered to the desk's points: other modules share the stack.)
        # Every organisation-side role, the coordinator and the platform admin read; Nicosia's
        # people do not see Rome's point, and reading it by id is a 404.
        readers = [desk.admin, desk.operator, provider, caritas.admin, caritas.operator, partner]
        for headers in [*readers, coordinator, root]:
            assert _ids(client, headers, organization_id=desk.id) == both
        for headers in (nicosia.admin, nicosia.operator):
            assert _ids(client, headers, organization_id=desk.id) == {everyone["id"]}
            _refused(client.get(f"{POINTS}/{in_rome['id']}", headers=headers), 404)
        assert _ok(client.get(f"{POINTS}/{in_rome['id']}", headers=coordinator))["cluster_ids"] == [
            rome
        ]

        # Lazio's code finds the point in Roma; Cyprus's does not; an unknown code is refused.
        assert (
            _ids(
                client,
                caritas.operator,
                organization_id=desk.id,
                territory="ITI4",
                need="documents_legal",
            )
            == both
        )
        assert _ids(client, caritas.operator, organization_id=desk.id, territory="CY") == set()
        _refused(client.get(POINTS, params={"territory": "ITZ99"}, headers=caritas.operator), 422)

        # Only providers and org admins publish, for their own organisation; only the desk's
        # change its points.
        for headers in (caritas.operator, partner, coordinator, root):
            _refused(client.post(POINTS, json=BODY, headers=headers), 403)
        url = f"{POINTS}/{in_rome['id']}"
        change = {"languages": ["it", "ar", "bn"]}
        _refused(client.patch(url, json=change, headers={**caritas.admin, "If-Match": '"1"'}), 403)
        _refused(client.patch(url, json=change, headers={**nicosia.admin, "If-Match": '"1"'}), 404)
        _refused(client.patch(url, json=change, headers=provider), 428)
        changed = _ok(client.patch(url, json=change, headers={**provider, "If-Match": '"1"'}))
        assert (changed["languages"], changed["version"]) == (["it", "ar", "bn"], 2)
        _refused(
            client.patch(url, json={"tier": "top"}, headers={**provider, "If-Match": '"2"'}), 422
        )
        _refused(client.delete(url, headers=caritas.admin), 403)
        _refused(client.delete(url, headers=nicosia.admin), 404)
        assert client.delete(url, headers=provider).status_code == 204
        assert _ids(client, caritas.operator, organization_id=desk.id) == {everyone["id"]}
        assert _ids(client, caritas.operator, organization_id=desk.id, status="closed") == {
            in_rome["id"]
        }
        assert _ids(client, nicosia.operator, organization_id=desk.id, status="closed") == set()
        assert client.get(POINTS).status_code == 401


def test_a_person_referred_to_a_point_is_answered_by_its_provider(stack: Stack) -> None:
    with stack.client() as client:
        desk = organisation(client, "Sportello")
        caritas = organisation(client, "Caritas")
        provider = _user(client, desk, "provider")
        rome = _cluster(stack.databases["matching"], desk.id, [desk.id, caritas.id])
        point = _ok(
            client.post(POINTS, json={**BODY, "cluster_ids": [rome]}, headers=provider), 201
        )
        person = _ok(
            client.post(
                "/api/v1/beneficiaries",
                json={
                    "given_name": "Amal",
                    "family_name": "Haddad",
                    "birth_date": "1994-03-02",
                    "sex": "female",
                    "nationality": "SY",
                    "municipality": "Roma",
                    "contact": {"phone": "+39 333 765 4321"},
                },
                headers=caritas.operator,
            ),
            201,
        )
        _ok(
            client.post(
                f"/api/v1/beneficiaries/{person['id']}/consents",
                json={
                    "purpose": "matching",
                    "text_version": "matching-it-2026-01",
                    "collection_method": "paper_signed",
                },
                headers=caritas.operator,
            ),
            201,
        )
        body = {"beneficiary_id": person["id"], "service_point_id": point["id"]}
        both = client.post(
            "/api/v1/referrals",
            json={**body, "offer_id": str(uuid.uuid4())},
            headers=caritas.operator,
        )
        fields = {error["field"] for error in _refused(both, 422)["errors"]}
        assert fields == {"body.offer_id", "body.service_point_id"}

        def referred() -> Any:
            answer = client.post("/api/v1/referrals", json=body, headers=caritas.operator)
            return answer.status_code == 201 and answer.json()

        referral = eventually(referred)  # the consent reaches matching by an event
        assert (referral["service_point_id"], referral["offer_id"]) == (point["id"], None)
        assert referral["provider_organization_id"] == desk.id
        _refused(client.post("/api/v1/referrals", json=body, headers=caritas.operator), 409)
        stored = asyncio.run(
            sql(
                stack.databases["matching"],
                "SELECT cluster_id, offer_id FROM referral WHERE id = $1",
                uuid.UUID(referral["id"]),
            )
        )
        assert (str(stored[0]["cluster_id"]), stored[0]["offer_id"]) == (rome, None)

        url = f"/api/v1/referrals/{referral['id']}"
        seen = _ok(client.get(url, headers=provider))
        assert seen["person"]["given_name"] == "Amal"
        assert seen["person"]["contact"] == {"phone": "+39 333 765 4321"}
        assert "birth_date" not in seen["person"]
        _ok(client.patch(url, json={"status": "accepted"}, headers=provider))
        enrolled = _refused(client.patch(url, json={"status": "enrolled"}, headers=provider), 409)
        assert enrolled["allowed_statuses"] == ["completed", "dropped"]
        assert _ok(client.patch(url, json={"status": "completed"}, headers=provider))["status"] == (
            "completed"
        )
        mine = _ok(
            client.get(
                "/api/v1/referrals",
                params={"service_point_id": point["id"]},
                headers=caritas.operator,
            )
        )
        assert [item["id"] for item in mine["items"]] == [referral["id"]]

        # The person sees where they were sent in the app; the catalogue of points is not theirs.
        code = _ok(
            client.post(
                f"/api/v1/beneficiaries/{person['id']}/invitations", headers=caritas.operator
            ),
            201,
        )["code"]
        tokens = _ok(
            client.post("/api/v1/auth/activate", json={"code": code, "password": APP_PASSWORD})
        )
        app = bearer(tokens["access_token"])
        own = _ok(client.get("/api/v1/me/referrals", headers=app))["items"]
        assert [(item["offer"], item["service_point"]["id"]) for item in own] == [
            (None, point["id"])
        ]
        assert own[0]["service_point"]["opening_hours"] == BODY["opening_hours"]
        _refused(client.get(POINTS, headers=app), 404)
        _refused(client.get(f"{POINTS}/{point['id']}", headers=app), 404)
        _refused(client.post(POINTS, json=BODY, headers=app), 404)
