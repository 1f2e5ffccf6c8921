"""End to end through the gateway: breaking the glass. An employer's org admin is refused; the
platform admin entitles a hospital (medical_emergency) and an anti-trafficking shelter
(trafficking_protection); each opens the person's record and sees only what its legal basis opens,
in intake and in pathways; the registering organisation receives a webhook (and nobody else); the
person sees both in the app; the shelter closes its access early and the pathway closes to it."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import Organisation, bearer, eventually, organisation, token
from tests.e2e.test_webhooks import Receiver, run_with_receiver

pytestmark = pytest.mark.e2e

REASON = "Found collapsed at the work site; the ward needs to reach her next of kin now."
PASSWORD = "a-person-chooses-a-long-phrase"


def ok(answer: httpx.Response) -> Any:
    assert answer.is_success, (answer.request.method, answer.request.url, answer.text)
    return answer.json() if answer.content else None


def entitle(client: httpx.Client, org: Organisation, *reasons: str) -> None:
    """The platform admin entitles the organisation (PATCH with the ETag of its last read)."""
    root = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
    url = f"/api/v1/organizations/{org.id}"
    etag = client.get(url, headers=root).headers["etag"]
    assert (
        client.patch(url, json={"emergency_reasons": list(reasons)}, headers=org.admin).status_code
        == 403
    )
    changed = ok(
        client.patch(
            url, json={"emergency_reasons": list(reasons)}, headers={**root, "If-Match": etag}
        )
    )
    assert changed["emergency_reasons"] == sorted(reasons)


def subscribe(client: httpx.Client, receiver: Receiver, path: str, org: Organisation) -> None:
    catalogue = ok(client.get("/api/v1/webhooks/event-types", headers=org.admin))["items"]
    body = {"url": receiver.url(path), "event_types": [item["type"] for item in catalogue]}
    receiver.secrets[path] = ok(client.post("/api/v1/webhooks", json=body, headers=org.admin))[
        "secret"
    ]


def test_breaking_the_glass_is_entitled_minimal_told_and_closable(stack: Stack) -> None:
    run_with_receiver(stack, _scenario)


def _scenario(client: httpx.Client, receiver: Receiver) -> None:
    ngo = organisation(client, "Registering NGO")
    employer = organisation(client, "Farm employer", kind="employer")
    hospital = organisation(client, "Hospital social service", kind="other")
    shelter = organisation(client, "Anti-trafficking shelter")
    entitle(client, hospital, "medical_emergency")
    entitle(client, shelter, "trafficking_protection")
    for path, org in (("/ngo", ngo), ("/shelter", shelter), ("/hospital", hospital)):
        subscribe(client, receiver, path, org)

    person = ok(
        client.post(
            "/api/v1/beneficiaries",
            json={
                "given_name": "Blessing",
                "family_name": f"Okafor{uuid.uuid4().hex[:6]}",
                "birth_date": "1994-03-12",
                "sex": "female",
                "nationality": "NG",
                "municipality": "Latina",
                "contact": {"phone": "+39 333 111 2222"},
                "languages": [{"code": "en", "level": "C1"}],
            },
            headers=ngo.operator,
        )
    )
    record = f"/api/v1/beneficiaries/{person['id']}"

    def pathway_opened() -> Any:
        answer = client.post(
            "/api/v1/pathways", json={"beneficiary_id": person["id"]}, headers=ngo.operator
        )
        return answer.status_code == 201 and answer.json()

    pathway = f"/api/v1/pathways/{eventually(pathway_opened)['id']}"

    # Not entitled: refused before the person is looked up (a random id answers the same).
    medical = {"reason_code": "medical_emergency", "reason": REASON}
    for target in (record, f"/api/v1/beneficiaries/{uuid.uuid4()}"):
        refused = client.post(f"{target}/emergency-access", json=medical, headers=employer.admin)
        assert refused.status_code == 403, refused.text
    as_shelter = client.post(f"{record}/emergency-access", json=medical, headers=shelter.admin)
    assert as_shelter.status_code == 403  # entitled, but not to this reason
    assert (
        client.post(
            f"{record}/emergency-access", json=medical, headers=hospital.operator
        ).status_code
        == 403
    )

    # The hospital: identity and contact, nothing of the case, no pathway.
    by_hospital = ok(
        client.post(f"{record}/emergency-access", json=medical, headers=hospital.admin)
    )
    assert by_hospital["sections"] == ["contact", "identity"]
    again = client.post(f"{record}/emergency-access", json=medical, headers=hospital.admin)
    assert again.status_code == 409
    seen = ok(client.get(record, headers=hospital.admin))
    assert seen["visible_sections"] == ["contact", "identity"]
    assert seen["contact"]["phone"] == "+39 333 111 2222"
    assert "languages" not in seen

    # The shelter: trafficking protection opens the pathway (rights checks) too.
    trafficking = {"reason_code": "trafficking_protection", "reason": REASON}
    by_shelter = ok(
        client.post(f"{record}/emergency-access", json=trafficking, headers=shelter.admin)
    )
    assert by_shelter["sections"] == ["contact", "identity", "pathway"]
    eventually(lambda: client.get(pathway, headers=shelter.admin).status_code == 200)
    # By now pathways holds both grants (one event carries the whole list): the hospital's
    # medical access does not reach the pathway.
    assert client.get(pathway, headers=hospital.admin).status_code == 404
    listed = ok(
        client.get(f"/api/v1/pathways?beneficiary_id={person['id']}", headers=hospital.admin)
    )
    assert listed["items"] == []

    # The registering organisation is told, at once and alone; never the written reason.
    eventually(lambda: receiver.types("/ngo").count("emergency_access.opened") == 2)
    told = {
        body["data"]["organization_id"]: body["data"]
        for body in receiver.events["/ngo"].values()
        if body["type"] == "emergency_access.opened"
    }
    assert told[hospital.id]["reason_code"] == "medical_emergency"
    assert told[hospital.id]["sections"] == ["contact", "identity"]
    assert told[shelter.id]["emergency_access_id"] == by_shelter["id"]
    assert told[shelter.id]["owner_organization_id"] == ngo.id
    assert datetime.fromisoformat(told[shelter.id]["expires_at"]) == datetime.fromisoformat(
        by_shelter["expires_at"]
    )
    assert REASON not in json.dumps(receiver.events)
    for path in ("/shelter", "/hospital"):
        assert not any(kind.startswith("emergency_access.") for kind in receiver.types(path))

    # The owner reads the written reasons; the person sees who, why, what and when in the app.
    shown = ok(client.get(f"{record}/emergency-access", headers=ngo.operator))["items"]
    assert {(item["organization_id"], item["reason"]) for item in shown} == {
        (hospital.id, REASON),
        (shelter.id, REASON),
    }
    code = ok(client.post(f"{record}/invitations", headers=ngo.operator))["code"]
    app = bearer(
        ok(client.post("/api/v1/auth/activate", json={"code": code, "password": PASSWORD}))[
            "access_token"
        ]
    )
    own = ok(client.get("/api/v1/me/emergency-accesses", headers=app))["items"]
    assert sorted(
        (item["organization_id"], item["reason_code"], item["status"]) for item in own
    ) == sorted(
        [(hospital.id, "medical_emergency", "open"), (shelter.id, "trafficking_protection", "open")]
    )
    assert REASON not in json.dumps(own)
    assert client.get("/api/v1/me/emergency-accesses", headers=ngo.operator).status_code == 403

    # The shelter closes early: its sections close in intake at once, in pathways by event.
    closing = f"{record}/emergency-access/{by_shelter['id']}"
    assert client.delete(closing, headers=hospital.admin).status_code == 404
    assert client.delete(closing, headers=shelter.admin).status_code == 204
    assert client.get(record, headers=shelter.admin).status_code == 404
    eventually(lambda: client.get(pathway, headers=shelter.admin).status_code == 404)
    eventually(lambda: "emergency_access.closed" in receiver.types("/ngo"))
    statuses = {
        item["organization_id"]: item["status"]
        for item in ok(client.get("/api/v1/me/emergency-accesses", headers=app))["items"]
    }
    assert statuses == {hospital.id: "open", shelter.id: "closed"}
