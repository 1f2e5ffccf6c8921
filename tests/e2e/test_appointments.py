"""End to end through the gateway: appointments. An NGO books appointments with a person at its
own service point (checked with matching) or at an address, for a pathway and an action of its
own; what it may not name is refused and nothing is stored; a partner the person shared the
pathway section with sees them but does not change them, a provider sees none; the operator
reschedules and records the attendance; the person sees their upcoming ones in the app with only
what they need; the export holds them and erasure removes them from pathways' database."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.beneficiary_world import ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import Organisation, bearer, eventually, organisation, signed_in_user
from tests.support import sql

pytestmark = pytest.mark.e2e

URL = "/api/v1/appointments"
PROBLEM = "application/problem+json"
APP_PASSWORD = "a-person-chooses-a-long-phrase"
DESK = {
    "name": "Sportello lavoro Latina",
    "kind": "legal_aid",
    "need_domains": ["documents_legal"],
    "tier": "low_threshold",
    "territory_code": "IT_058091",
    "access_mode": "drop_in",
}


def _created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _refused(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert (answer.status_code, answer.headers["content-type"]) == (status, PROBLEM), answer.text
    body: dict[str, Any] = answer.json()
    return body


def _casework(client: httpx.Client, org: Organisation, person_id: str) -> tuple[str, str]:
    """An open pathway, assessed, with one action: (pathway id, action id)."""

    def opened() -> Any:
        answer = client.post(
            "/api/v1/pathways", json={"beneficiary_id": person_id}, headers=org.operator
        )
        return answer.status_code == 201 and answer.json()

    pathway_id = eventually(opened)["id"]
    url = f"/api/v1/pathways/{pathway_id}"
    assessment = {
        "territorial_context": {"municipality": "Latina"},
        "labour_market_position": "unemployed_seeking",
        "needs": [{"domain": "employment", "severity": "high"}],
    }
    ok(client.post(f"{url}/assessments", json=assessment, headers=org.operator))
    actions = {"actions": [{"type": "legal_aid", "title": "Permit renewal"}]}
    ok(client.post(f"{url}/actions", json=actions, headers=org.operator))
    action_id = ok(client.get(f"{url}/actions", headers=org.operator))["items"][0]["id"]
    return pathway_id, action_id


def _share(client: httpx.Client, owner: Organisation, person_id: str, with_: str) -> None:
    body = {
        "purpose": "sharing",
        "organization_id": with_,
        "sections": ["identity", "pathway"],
        "text_version": "it-2026",
        "collection_method": "paper_signed",
    }
    ok(
        client.post(
            f"/api/v1/beneficiaries/{person_id}/consents", json=body, headers=owner.operator
        )
    )


def _app(client: httpx.Client, owner: Organisation, person_id: str) -> dict[str, str]:
    url = f"/api/v1/beneficiaries/{person_id}/invitations"
    code = ok(client.post(url, headers=owner.operator))["code"]
    tokens = ok(client.post("/api/v1/auth/activate", json={"code": code, "password": APP_PASSWORD}))
    return bearer(tokens["access_token"])


def _ids(client: httpx.Client, headers: dict[str, str], **params: Any) -> list[str]:
    return [item["id"] for item in ok(client.get(URL, params=params, headers=headers))["items"]]


async def test_appointments_through_the_gateway(stack: Stack) -> None:
    with stack.client() as client:
        owner = organisation(client, "Appointments owner")
        partner = organisation(client, "Appointments partner")
        employer = organisation(client, "Appointments employer", kind="employer")
        provider = bearer(
            signed_in_user(client, employer.admin, employer.id, "provider", "Appt provider")[2]
        )
        body = {"given_name": "Selam", "family_name": "Tesfaye", "birth_date": "1996-02-11"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=owner.operator))
        other = ok(
            client.post(
                "/api/v1/beneficiaries",
                json={"given_name": "Yonas", "family_name": "Haile", "birth_date": "1993-08-01"},
                headers=owner.operator,
            )
        )
        _share(client, owner, person["id"], partner.id)
        _share(client, owner, person["id"], employer.id)
        pathway_id, action_id = _casework(client, owner, person["id"])
        others_pathway, _ = _casework(client, owner, other["id"])
        desk = ok(client.post("/api/v1/service-points", json=DESK, headers=owner.admin))

        booking = {
            "beneficiary_id": person["id"],
            "pathway_id": pathway_id,
            "step": "respond",
            "action_id": action_id,
            "start_at": "2031-05-06T09:30:00+02:00",
            "duration_minutes": 45,
            "service_point_id": desk["id"],
            "interpreter_needed": True,
            "language": "ti",
            "purpose": "Permit renewal papers",
        }
        key = {**owner.operator, "Idempotency-Key": uuid.uuid4().hex}
        first = _created(client.post(URL, json=booking, headers=key))
        again = _created(client.post(URL, json=booking, headers=key))
        assert again["id"] == first["id"]  # same key, same body: no second appointment
        assert first["service_point_name"] == DESK["name"]
        assert first["start_at"] == "2031-05-06T07:30:00Z"
        assert first["attendance"] == "scheduled"

        # What it may not name: nothing is stored.
        address = {k: v for k, v in booking.items() if k != "service_point_id"}
        address["address"] = "Via Emanuele Filiberto 12, Roma"
        for wrong, field in (
            ({**booking, "service_point_id": str(uuid.uuid4())}, "body.service_point_id"),
            ({**address, "pathway_id": others_pathway, "action_id": None}, "body.pathway_id"),
            ({**address, "action_id": str(uuid.uuid4())}, "body.action_id"),
            ({**address, "language": "zz"}, "body.language"),
        ):
            problem = _refused(client.post(URL, json=wrong, headers=owner.operator), 422)
            assert field in {error["field"] for error in problem["errors"]}, problem
        assert _ids(client, owner.operator, beneficiary_id=person["id"]) == [first["id"]]

        # The operator named must be an active operator or org admin of the organisation.
        admin_id = ok(client.get("/api/v1/auth/me", headers=owner.admin))["subject"]
        partner_id = ok(client.get("/api/v1/auth/me", headers=partner.operator))["subject"]
        for stranger in (partner_id, str(uuid.uuid4())):
            named = {**address, "operator_id": stranger}
            problem = _refused(client.post(URL, json=named, headers=owner.operator), 422)
            assert problem["errors"][0]["field"] == "body.operator_id"
        assert _ids(client, owner.operator, beneficiary_id=person["id"]) == [first["id"]]

        # A walk-in meeting recorded afterwards (in the past), at an address, by the org admin.
        past = {**address, "start_at": "2026-01-10T10:00:00+01:00", "operator_id": admin_id}
        walk_in = _created(client.post(URL, json=past, headers=owner.operator))
        assert walk_in["operator_id"] == admin_id
        assert _ids(client, owner.operator, operator=admin_id) == [walk_in["id"]]
        assert _ids(client, owner.operator, pathway_id=pathway_id) == [walk_in["id"], first["id"]]
        window = {"from": "2031-01-01T00:00:00Z", "to": "2032-01-01T00:00:00Z"}
        assert _ids(client, owner.operator, **window) == [first["id"]]

        # The partner sees the shared person's appointments, and changes none; a provider none.
        def partner_sees() -> bool:
            return _ids(client, partner.operator, beneficiary_id=person["id"]) == [
                walk_in["id"],
                first["id"],
            ]

        eventually(partner_sees)
        _refused(client.post(URL, json=address, headers=partner.operator), 422)  # not its pathway
        url = f"{URL}/{first['id']}"
        _refused(
            client.patch(
                url, json={"duration_minutes": 30}, headers={**partner.operator, "If-Match": '"1"'}
            ),
            403,
        )
        assert _ids(client, provider) == []
        _refused(client.get(url, headers=provider), 404)
        _refused(client.get(url), 401)

        # Reschedule (If-Match), then attendance on the walk-in.
        read = client.get(url, headers=owner.operator)
        assert read.headers["ETag"] == '"1"'
        _refused(client.patch(url, json={"duration_minutes": 30}, headers=owner.operator), 428)
        moved = client.patch(
            url,
            json={
                "start_at": "2031-05-07T10:00:00+02:00",
                "address": "Via Roma 1, Latina",
                "service_point_id": None,
            },
            headers={**owner.operator, "If-Match": '"1"'},
        )
        assert moved.status_code == 200, moved.text
        assert (moved.json()["address"], moved.json()["service_point_name"]) == (
            "Via Roma 1, Latina",
            None,
        )
        stale = client.patch(
            url, json={"duration_minutes": 30}, headers={**owner.operator, "If-Match": '"1"'}
        )
        _refused(stale, 412)
        walk_url = f"{URL}/{walk_in['id']}"
        etag = {**owner.operator, "If-Match": '"1"'}
        _refused(client.patch(walk_url, json={"attendance": "missed"}, headers=etag), 422)
        missed = client.patch(
            walk_url, json={"attendance": "missed", "attendance_reason": "transport"}, headers=etag
        )
        assert missed.status_code == 200, missed.text
        assert missed.json()["attendance"] == "missed"
        cancel = {"attendance": "cancelled", "attendance_reason": "illness"}
        _refused(
            client.patch(walk_url, json=cancel, headers={**owner.operator, "If-Match": "*"}), 409
        )
        assert _ids(client, owner.operator, attendance="missed") == [walk_in["id"]]

        # The person in the app: the upcoming one, with only what they need.
        app = _app(client, owner, person["id"])
        mine = ok(client.get("/api/v1/me/appointments", headers=app))["items"]
        assert [item["id"] for item in mine] == [first["id"]]
        assert set(mine[0]) == {
            "id",
            "start_at",
            "duration_minutes",
            "place_name",
            "address",
            "purpose",
            "interpreter_needed",
            "cultural_mediator_needed",
            "language",
            "cancelled",
        }
        assert mine[0]["language"] == "ti"
        assert client.get(URL, headers=app).status_code == 404  # the operators' list: not theirs
        assert client.get(url, headers=app).status_code == 404
        assert client.get("/api/v1/me/appointments", headers=owner.operator).status_code == 403

        # The export holds them; erasure removes them.
        person_url = f"/api/v1/beneficiaries/{person['id']}"
        exported = ok(client.get(f"{person_url}/export", headers=owner.admin))
        held = {row["id"] for row in exported["data"]["pathways"]["appointments"]}
        assert held == {first["id"], walk_in["id"]}
        assert client.delete(person_url, headers=owner.admin).status_code == 204

    async def gone() -> bool:
        rows = await sql(
            stack.databases["pathways"],
            "SELECT count(*) AS n FROM appointment WHERE beneficiary_id = $1",
            uuid.UUID(person["id"]),
        )
        return bool(rows[0]["n"] == 0)

    for _ in range(150):  # erasure reaches pathways by an event
        if await gone():
            break
        await asyncio.sleep(0.1)
    assert await gone()
