"""End to end: a subscription with ``payload: resource`` receives, beside the event's ids, the
resource as its organisation may read it when the delivery is attempted: the person and the
pathway for the organisation that registered them; for a partner whose consent was withdrawn
between the event and the delivery, ``null``. Every body is the one the OpenAPI documents."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually, open_pathway, organisation
from tests.e2e.test_webhooks import (
    Receiver,
    _each_body_is_the_documented_one,
    _ok,
    run_with_receiver,
)

pytestmark = pytest.mark.e2e


def _subscribe(
    client: httpx.Client, org: Any, receiver: Receiver, path: str, types: list[str]
) -> dict[str, Any]:
    body = {"url": receiver.url(path), "event_types": types, "payload": "resource"}
    created = _ok(client.post("/api/v1/webhooks", json=body, headers=org.admin))
    assert created["payload"] == "resource"
    return created


def test_a_resource_subscription_receives_what_it_may_read_at_delivery(stack: Stack) -> None:
    run_with_receiver(stack, _scenario)


def _scenario(client: httpx.Client, receiver: Receiver) -> None:
    ngo = organisation(client, "Resourceful NGO")
    partner = organisation(client, "Resourceful partner")
    own = _subscribe(client, ngo, receiver, "/own", ["beneficiary.registered", "pathway.opened"])
    receiver.secrets["/own"] = own["secret"]
    # The partner's endpoint refuses (its secret is not known yet): its deliveries wait.
    theirs = _subscribe(client, partner, receiver, "/partner", ["beneficiary.updated"])

    person = _ok(
        client.post(
            "/api/v1/beneficiaries",
            json={
                "given_name": "Yusuf",
                "family_name": "Haddad",
                "birth_date": "1993-02-11",
                "sex": "male",
                "nationality": "SY",
                "municipality": "Bari",
            },
            headers=ngo.operator,
        )
    )
    consent = _ok(
        client.post(
            f"/api/v1/beneficiaries/{person['id']}/consents",
            json={
                "purpose": "sharing",
                "organization_id": partner.id,
                "sections": ["identity", "profile"],
                "text_version": "it-2026",
                "collection_method": "paper_signed",
            },
            headers=ngo.operator,
        )
    )
    pathway = open_pathway(client, ngo.operator, person["id"])
    eventually(lambda: receiver.types("/own") == ["beneficiary.registered", "pathway.opened"])
    by_type = {body["type"]: body["data"] for body in receiver.events["/own"].values()}
    registered = by_type["beneficiary.registered"]
    assert registered["beneficiary_id"] == person["id"]
    assert registered["resource"]["id"] == person["id"]
    assert registered["resource"]["given_name"] == "Yusuf"
    assert by_type["pathway.opened"]["resource"]["id"] == pathway["id"]
    assert by_type["pathway.opened"]["resource"]["status"] == "open"

    # The partner may read the person when the record changes, but the consent is withdrawn
    # before its endpoint takes the delivery: it gets the event, and no resource.
    read = client.get(f"/api/v1/beneficiaries/{person['id']}", headers=ngo.operator)
    _ok(
        client.patch(
            f"/api/v1/beneficiaries/{person['id']}",
            json={"municipality": "Molfetta"},
            headers={**ngo.operator, "If-Match": read.headers["etag"]},
        )
    )
    log = f"/api/v1/webhooks/{theirs['id']}/deliveries"
    eventually(
        lambda: any(
            item["event_type"] == "beneficiary.updated" and item["attempts"] >= 1
            for item in client.get(log, headers=partner.admin).json()["items"]
        )
    )
    withdrawn = client.delete(
        f"/api/v1/beneficiaries/{person['id']}/consents/{consent['id']}", headers=ngo.operator
    )
    assert withdrawn.status_code in (200, 204), withdrawn.text
    eventually(
        lambda: (
            client.get(
                f"/api/v1/beneficiaries/{person['id']}", headers=partner.operator
            ).status_code
            == 404
        )
    )
    receiver.secrets["/partner"] = theirs["secret"]
    eventually(lambda: "beneficiary.updated" in receiver.types("/partner"))
    [updated] = list(receiver.events["/partner"].values())
    assert updated["data"]["beneficiary_id"] == person["id"]
    assert updated["data"]["resource"] is None
    assert "Molfetta" not in str(receiver.events["/partner"])
    _each_body_is_the_documented_one(
        client, receiver, frozenset({"beneficiary.registered", "beneficiary.updated"})
    )
