"""End to end through the gateway: a cluster in Rome set up by the platform admin and its
coordinator, its members and their commitments, a real referral between two members, and the
coordinator's dashboard: aggregates of the members, never a person (404 on the person's record).
A member's operator reads but does not write; another organisation's users get 404 everywhere."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import bearer, eventually, organisation, signed_in_user, token

pytestmark = pytest.mark.e2e

CLUSTERS = "/api/v1/clusters"


def _ok(answer: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _refer_and_enrol(
    client: httpx.Client, referrer: dict[str, str], provider: dict[str, str], offer_id: str
) -> tuple[str, str]:
    """A person registered and consenting at the referrer's, referred to the offer and enrolled:
    (person id, referral id)."""
    person = _ok(
        client.post(
            "/api/v1/beneficiaries",
            json={
                "given_name": "Amina",
                "family_name": "Diallo",
                "birth_date": "1999-05-02",
                "sex": "female",
                "nationality": "SN",
                "municipality": "Roma",
            },
            headers=referrer,
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
            headers=referrer,
        ),
        201,
    )
    referral = eventually(
        lambda: (
            (
                a := client.post(
                    "/api/v1/referrals",
                    json={"beneficiary_id": person["id"], "offer_id": offer_id},
                    headers=referrer,
                )
            ).status_code
            == 201
            and a.json()
        )
    )
    for status in ("accepted", "enrolled"):
        _ok(
            client.patch(
                f"/api/v1/referrals/{referral['id']}", json={"status": status}, headers=provider
            )
        )
    return person["id"], referral["id"]


def test_a_cluster_its_members_commitments_and_the_coordinators_dashboard(stack: Stack) -> None:
    with stack.client() as client:
        root = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
        hub = organisation(client, "Roma Capitale")
        caritas = organisation(client, "Caritas Roma")
        school = organisation(client, "Scuola Edile", kind="vet_provider")
        stranger = organisation(client, "Nicosia NGO")
        coordinator = bearer(
            signed_in_user(client, hub.admin, hub.id, "cluster_coordinator", "R")[2]
        )
        foreign_coordinator = bearer(
            signed_in_user(client, stranger.admin, stranger.id, "cluster_coordinator", "N")[2]
        )

        # Creating: the platform admin for any organisation, a coordinator for its own only.
        body = {
            "name": f"MEIC Roma {uuid.uuid4().hex[:6]}",
            "territory_codes": ["ITI43"],
            "sector_focus": ["construction"],
            "coordinator_organization_id": hub.id,
        }
        created = client.post(CLUSTERS, json=body, headers=root)
        cluster = _ok(created, 201)
        path = f"{CLUSTERS}/{cluster['id']}"
        assert created.headers["location"] == path
        own = {"name": f"MEIC Latina {uuid.uuid4().hex[:6]}", "territory_codes": ["ITI44"]}
        assert (
            _ok(client.post(CLUSTERS, json=own, headers=coordinator), 201)[
                "coordinator_organization_id"
            ]
            == hub.id
        )
        foreign = {**own, "name": "Elsewhere", "coordinator_organization_id": stranger.id}
        assert client.post(CLUSTERS, json=foreign, headers=coordinator).status_code == 403
        for headers in (hub.admin, hub.operator):
            assert client.post(CLUSTERS, json=own, headers=headers).status_code == 403
        bad = {**body, "name": "Bad", "territory_codes": ["XX999"]}
        assert client.post(CLUSTERS, json=bad, headers=root).status_code == 422
        unknown = {**body, "name": "Ghost", "coordinator_organization_id": str(uuid.uuid4())}
        assert client.post(CLUSTERS, json=unknown, headers=root).status_code == 422

        # Members, by the coordinator; an unknown organisation is refused.
        for org, roles in ((caritas, ["ngo_support"]), (school, ["training_provider"])):
            added = client.post(
                f"{path}/members",
                json={"organization_id": org.id, "roles": roles},
                headers=coordinator,
            )
            assert _ok(added, 201)["roles"] == roles
        ghost = {"organization_id": str(uuid.uuid4()), "roles": ["trade_union"]}
        assert client.post(f"{path}/members", json=ghost, headers=coordinator).status_code == 422
        members = _ok(client.get(f"{path}/members", headers=caritas.operator))["items"]
        assert {m["organization_id"] for m in members} == {hub.id, caritas.id, school.id}
        member = client.get(f"{path}/members/{school.id}", headers=school.operator)
        assert _ok(member)["roles"] == ["training_provider"]
        changed = client.patch(
            f"{path}/members/{school.id}",
            json={"roles": ["training_provider", "host_company"]},
            headers={**coordinator, "If-Match": member.headers["etag"]},
        )
        assert _ok(changed)["roles"] == ["training_provider", "host_company"]

        # The cluster: read by its members' staff, changed by its coordinator only.
        assert _ok(client.get(path, headers=caritas.operator))["name"] == body["name"]
        for headers in (caritas.operator, caritas.admin):
            refused = client.patch(
                path, json={"status": "active"}, headers={**headers, "If-Match": '"1"'}
            )
            assert refused.status_code == 403
        assert client.patch(path, json={"status": "active"}, headers=coordinator).status_code == 428
        active = client.patch(
            path, json={"status": "active"}, headers={**coordinator, "If-Match": '"1"'}
        )
        assert _ok(active)["status"] == "active"
        listed = _ok(client.get(CLUSTERS, params={"status": "active"}, headers=caritas.operator))
        assert [c["id"] for c in listed["items"]] == [cluster["id"]]

        # Commitments: a member's org admin for its own organisation; its operator reads only.
        pledge = {
            "organization_id": school.id,
            "kind": "seats_filled",
            "quantity": 2,
            "description": "2 seats of the site course",
            "period_start": "2020-01-01",
            "period_end": "2099-12-31",
        }
        commitment = _ok(client.post(f"{path}/commitments", json=pledge, headers=school.admin), 201)
        assert (commitment["pledged"], commitment["delivered"]) == (2, 0)
        assert (
            client.post(f"{path}/commitments", json=pledge, headers=school.operator).status_code
            == 403
        )
        assert (
            client.post(f"{path}/commitments", json=pledge, headers=caritas.admin).status_code
            == 403
        )
        desk = {
            **pledge,
            "organization_id": caritas.id,
            "kind": "other",
            "description": "legal desk",
        }
        assert (
            _ok(client.post(f"{path}/commitments", json=desk, headers=coordinator), 201)[
                "delivered"
            ]
            is None
        )
        one = f"{path}/commitments/{commitment['id']}"
        assert _ok(client.get(one, headers=caritas.operator))["kind"] == "seats_filled"
        assert (
            client.patch(
                one, json={"quantity": 3}, headers={**school.operator, "If-Match": '"1"'}
            ).status_code
            == 403
        )
        assert (
            _ok(
                client.patch(one, json={"quantity": 2}, headers={**school.admin, "If-Match": '"1"'})
            )["version"]
            == 2
        )
        assert len(_ok(client.get(f"{path}/commitments", headers=school.operator))["items"]) == 2

        # A real referral from Caritas to the school's course, enrolled.
        course = _ok(
            client.post(
                "/api/v1/offers",
                json={"type": "training", "title": "Site course", "seats": 5, "status": "open"},
                headers=school.admin,
            ),
            201,
        )
        person, referral = _refer_and_enrol(client, caritas.operator, school.admin, course["id"])
        assert _ok(client.get(one, headers=coordinator))["delivered"] == 1

        # The dashboard: aggregates for the coordinator and the platform admin, nobody else.
        board = _ok(client.get(f"{path}/dashboard", headers=coordinator))
        assert board["members_by_role"]["training_provider"] == 1
        assert [
            (e["from_organization_id"], e["to_organization_id"], e["offer_type"], e["referrals"])
            for e in board["network"]
        ] == [(caritas.id, school.id, "training", "<5")]
        figures = {m["organization_id"]: m for m in board["members"]}
        assert figures[school.id]["people_reached"] == "<5"
        assert figures[school.id]["commitments"][0]["delivered"] == 1
        assert person not in str(board)
        assert referral not in str(board)
        assert _ok(client.get(f"{path}/dashboard", headers=root))["cluster_id"] == cluster["id"]
        for headers in (caritas.operator, school.admin, hub.admin, foreign_coordinator):
            assert client.get(f"{path}/dashboard", headers=headers).status_code == 404
        # The coordinator sees no person: neither the record nor the referral.
        assert client.get(f"/api/v1/beneficiaries/{person}", headers=coordinator).status_code == 404
        assert client.get(f"/api/v1/referrals/{referral}", headers=coordinator).status_code == 404

        # Another organisation's users: the cluster does not exist for them.
        for headers in (stranger.operator, stranger.admin, foreign_coordinator):
            for suffix in ("", "/members", f"/members/{school.id}", "/commitments", "/dashboard"):
                assert client.get(f"{path}{suffix}", headers=headers).status_code == 404, suffix
            assert (
                client.patch(
                    path, json={"status": "closed"}, headers={**headers, "If-Match": '"2"'}
                ).status_code
                == 404
            )
            assert client.post(f"{path}/members", json=ghost, headers=headers).status_code == 404
            assert (
                client.post(f"{path}/commitments", json=pledge, headers=headers).status_code == 404
            )
            assert client.delete(f"{path}/members/{school.id}", headers=headers).status_code == 404
            assert _ok(client.get(CLUSTERS, headers=headers))["items"] == []

        # Ending a membership keeps its row; the former member reads the cluster no more.
        assert (
            client.delete(f"{path}/members/{caritas.id}", headers=caritas.admin).status_code == 403
        )
        assert client.delete(f"{path}/members/{caritas.id}", headers=coordinator).status_code == 204
        ended = _ok(client.get(f"{path}/members/{caritas.id}", headers=coordinator))
        assert ended["current"] is False
        assert ended["left_on"] is not None
        assert client.get(path, headers=caritas.operator).status_code == 404

        # Closed is final.
        closed = client.patch(path, json={"status": "closed"}, headers={**root, "If-Match": '"2"'})
        assert _ok(closed)["status"] == "closed"
        again = client.patch(path, json={"status": "active"}, headers={**root, "If-Match": '"3"'})
        assert again.status_code == 409
        assert (
            client.patch(
                one, json={"quantity": 9}, headers={**coordinator, "If-Match": '"2"'}
            ).status_code
            == 409
        )
