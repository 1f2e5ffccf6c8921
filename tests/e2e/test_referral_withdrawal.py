"""End to end through the gateway (issue 12, item 3): what a withdrawal and an erasure must
really remove from referrals.

- The operator withdraws the person's consent to matching: the provider no longer reads the
  name, phone or the referrer's note, cannot accept or enrol; the referrals show ended with the
  coded reason, the seat is free, the referrer's pathway action failed.
- The person withdraws in the app: first their sharing with a partner NGO (the partner's
  referral ends, ``access_ended``; the registering NGO's goes on), then their consent to
  matching (every referral ends; their own list shows why).
- Erasure: the provider no longer reads the reasons written about the person (rejection, drop,
  the person's decline).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import Organisation, bearer, eventually, organisation
from tests.e2e.test_referral_ownership import pathway_with_action

pytestmark = pytest.mark.e2e

PHONE = "+39 333 765 4321"
MATCHING = {"purpose": "matching", "text_version": "v1", "collection_method": "paper_signed"}


def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code in (200, 201, 204), (answer.request.url, answer.text)
    return answer.json() if answer.content else None


def _person(client: httpx.Client, org: Organisation, given: str, family: str) -> tuple[str, str]:
    """A person with a consent to matching: (id, consent id)."""
    body = {
        "given_name": given,
        "family_name": family,
        "birth_date": "1996-03-09",
        "sex": "female",
        "nationality": "GH",
        "municipality": "Latina",
        "contact": {"phone": PHONE},
    }
    person: str = _ok(client.post("/api/v1/beneficiaries", json=body, headers=org.operator))["id"]
    consent = _ok(
        client.post(f"/api/v1/beneficiaries/{person}/consents", json=MATCHING, headers=org.operator)
    )
    return person, consent["id"]


def _offers(client: httpx.Client, provider: Organisation, count: int) -> list[str]:
    body = {"type": "training", "title": "Kitchen course", "seats": 2, "status": "open"}
    return [
        _ok(client.post("/api/v1/offers", json=body, headers=provider.admin))["id"]
        for _ in range(count)
    ]


def _app(client: httpx.Client, org: Organisation, person: str, password: str) -> dict[str, str]:
    """The person's app, activated with an invitation of their organisation: its headers."""
    invitation = _ok(
        client.post(f"/api/v1/beneficiaries/{person}/invitations", headers=org.operator)
    )
    tokens = _ok(
        client.post(
            "/api/v1/auth/activate", json={"code": invitation["code"], "password": password}
        )
    )
    return bearer(tokens["access_token"])


def _refer(client: httpx.Client, org: Organisation, body: dict[str, str]) -> str:
    """A proposal, once matching has heard of the person, their consent and the pathway."""
    created = eventually(
        lambda: (
            (a := client.post("/api/v1/referrals", json=body, headers=org.operator)).status_code
            == 201
            and a.json()
        )
    )
    referral_id: str = created["id"]
    return referral_id


def _read(client: httpx.Client, who: Organisation, referral_id: str) -> dict[str, Any]:
    read: dict[str, Any] = _ok(client.get(f"/api/v1/referrals/{referral_id}", headers=who.admin))
    return read


def _move(
    client: httpx.Client, who: dict[str, str], referral_id: str, status: str, reason: str = ""
) -> httpx.Response:
    body = {"status": status, **({"reason": reason} if reason else {})}
    return client.patch(f"/api/v1/referrals/{referral_id}", json=body, headers=who)


def _ended(client: httpx.Client, who: Organisation, referral_id: str) -> dict[str, Any]:
    return eventually(  # type: ignore[no-any-return]
        lambda: (r := _read(client, who, referral_id))["status"] == "dropped" and r
    )


def test_the_operator_withdraws_the_consent_to_matching(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Caritas")
        employer = organisation(client, "Trattoria", kind="employer")
        enrolled_offer, proposed_offer = _offers(client, employer, 2)
        kwame, consent = _person(client, ngo, "Kwame", "Mensah")
        pathway, action = pathway_with_action(client, ngo.operator, kwame)
        note = "Kwame Mensah cooked for six years in Accra"
        enrolled = _refer(
            client,
            ngo,
            {
                "beneficiary_id": kwame,
                "offer_id": enrolled_offer,
                "pathway_id": pathway,
                "action_id": action,
                "note": note,
            },
        )
        proposed = _refer(
            client, ngo, {"beneficiary_id": kwame, "offer_id": proposed_offer, "note": note}
        )
        for status in ("accepted", "enrolled"):
            _ok(_move(client, employer.admin, enrolled, status))
        card = _read(client, employer, proposed)
        assert card["person"]["given_name"] == "Kwame"
        assert card["person"]["contact"] == {"phone": PHONE}
        assert card["note"] == note

        _ok(
            client.delete(f"/api/v1/beneficiaries/{kwame}/consents/{consent}", headers=ngo.operator)
        )

        for referral_id in (enrolled, proposed):
            ended = _ended(client, employer, referral_id)
            assert ended["reason_code"] == "consent_withdrawn"
            assert ended["person"] is None
            assert ended["note"] is None
        listed = client.get("/api/v1/referrals", headers=employer.admin).text
        for personal in ("Kwame", "Mensah", PHONE, note):
            assert personal not in listed
        for status in ("accepted", "enrolled"):
            assert _move(client, employer.admin, proposed, status).status_code == 409
        seats = _ok(client.get(f"/api/v1/offers/{enrolled_offer}", headers=ngo.operator))
        assert seats["seats_left"] == 2  # the enrolled referral's seat is free again
        eventually(
            lambda: (
                _ok(
                    client.get(f"/api/v1/pathways/{pathway}/actions/{action}", headers=ngo.operator)
                )["status"]
                == "failed"
            )
        )


def test_the_person_withdraws_in_the_app(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Caritas")
        partner = organisation(client, "Arci")
        employer = organisation(client, "Trattoria", kind="employer")
        first, second = _offers(client, employer, 2)
        amina, matching_consent = _person(client, ngo, "Amina", "Diallo")
        me = _app(client, ngo, amina, "amina-picks-a-river-and-a-lamp")
        sharing = _ok(
            client.post(
                "/api/v1/me/consents",
                json={
                    "purpose": "sharing",
                    "organization_id": partner.id,
                    "sections": ["identity", "contact", "profile"],
                    "text_version": "app-2026-01",
                },
                headers=me,
            )
        )
        partners = _refer(
            client,
            partner,
            {"beneficiary_id": amina, "offer_id": first, "note": "Amina Diallo, a baker"},
        )
        owners = _refer(client, ngo, {"beneficiary_id": amina, "offer_id": second})
        assert _read(client, employer, partners)["person"]["given_name"] == "Amina"

        _ok(client.delete(f"/api/v1/me/consents/{sharing['id']}", headers=me))

        ended = _ended(client, employer, partners)
        assert ended["reason_code"] == "access_ended"
        assert ended["person"] is None
        assert ended["note"] is None
        assert _move(client, employer.admin, partners, "accepted").status_code == 409
        going_on = _read(client, employer, owners)
        assert (going_on["status"], going_on["person"]["given_name"]) == ("proposed", "Amina")

        _ok(client.delete(f"/api/v1/me/consents/{matching_consent}", headers=me))

        ended = _ended(client, employer, owners)
        assert (ended["reason_code"], ended["person"]) == ("consent_withdrawn", None)
        assert _move(client, employer.admin, owners, "accepted").status_code == 409
        own = _ok(client.get("/api/v1/me/referrals", headers=me))["items"]
        assert {(item["id"], item["status"], item["reason_code"]) for item in own} == {
            (partners, "dropped", "access_ended"),
            (owners, "dropped", "consent_withdrawn"),
        }
        assert client.post(f"/api/v1/me/referrals/{owners}/accept", headers=me).status_code == 409
        assert "Amina" not in json.dumps(
            _ok(client.get("/api/v1/referrals", headers=employer.admin))
        )


def test_after_erasure_the_provider_no_longer_reads_the_reasons(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Caritas")
        employer = organisation(client, "Trattoria", kind="employer")
        offers = _offers(client, employer, 3)
        lena, _ = _person(client, ngo, "Lena", "Haddad")
        rejected, dropped, declined = [
            _refer(client, ngo, {"beneficiary_id": lena, "offer_id": offer}) for offer in offers
        ]
        _ok(_move(client, employer.admin, rejected, "rejected", "Lena Haddad's Italian is weak"))
        _ok(_move(client, employer.admin, dropped, "accepted"))
        _ok(_move(client, ngo.operator, dropped, "dropped", "Lena Haddad moved to Milan"))
        me = _app(client, ngo, lena, "lena-names-a-harbour-and-a-kite")
        _ok(
            client.post(
                f"/api/v1/me/referrals/{declined}/decline",
                json={"reason": "Lena Haddad found a job"},
                headers=me,
            )
        )
        assert "Lena Haddad" in client.get("/api/v1/referrals", headers=employer.admin).text

        erased = client.delete(f"/api/v1/beneficiaries/{lena}", headers=ngo.admin)
        assert erased.status_code == 204, erased.text

        def scrubbed() -> Any:
            answer = client.get(f"/api/v1/referrals?offer_id={offers[0]}", headers=employer.admin)
            items = _ok(answer)["items"]
            return items and items[0]["reason"] == "[erased]" and answer

        scrubbed_list = eventually(scrubbed)
        assert "Lena" not in scrubbed_list.text
        for referral_id in (rejected, dropped, declined):
            read = client.get(f"/api/v1/referrals/{referral_id}", headers=employer.admin)
            assert read.status_code == 200
            for personal in ("Lena", "Haddad", "Milan", PHONE):
                assert personal not in read.text, (referral_id, personal)
            assert read.json()["status"] in ("rejected", "dropped")
