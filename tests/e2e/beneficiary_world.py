"""A small world for the self-service tests, built through the gateway as clients would: an NGO
with two people (Kwame, who is invited to the app, and Amina), another NGO with a third person
(Lena), an employer with two open offers; each person has a matching consent, an open pathway
with an action and referrals. Kwame activates the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.helpers import Organisation, bearer, eventually, organisation

PASSWORD = "kwame-chooses-a-long-phrase"


def ok(answer: httpx.Response) -> Any:
    assert answer.status_code in (200, 201, 204), (answer.request.url, answer.text)
    return answer.json() if answer.content else None


@dataclass
class Person:
    id: str
    given_name: str
    organisation: Organisation
    consent_id: str = ""
    pathway_id: str = ""
    action_id: str = ""
    referral_ids: list[str] = field(default_factory=list)

    def ids(self, offer_id: str, organization_id: str, user_id: str) -> dict[str, str]:
        """The path and body ids of this person's objects, for calls that walk every route."""
        return {
            "beneficiary_id": self.id,
            "consent_id": self.consent_id,
            "pathway_id": self.pathway_id,
            "action_id": self.action_id,
            "referral_id": self.referral_ids[0],
            "offer_id": offer_id,
            "organization_id": organization_id,
            "user_id": user_id,
        }


@dataclass
class World:
    ngo: Organisation
    other_ngo: Organisation
    employer: Organisation
    offers: list[str]
    kwame: Person
    amina: Person
    lena: Person
    tokens: dict[str, Any] = field(default_factory=dict)

    @property
    def me(self) -> dict[str, str]:
        return bearer(self.tokens["access_token"])


def _person(client: httpx.Client, org: Organisation, given: str, family: str) -> Person:
    body = {
        "given_name": given,
        "family_name": family,
        "birth_date": "1996-03-09",
        "sex": "female" if given != "Kwame" else "male",
        "nationality": "GH",
        "municipality": "Latina",
        "contact": {"phone": "+39 333 765 4321"},
        "languages": [{"code": "it", "level": "A2"}],
    }
    created = ok(client.post("/api/v1/beneficiaries", json=body, headers=org.operator))
    person = Person(id=created["id"], given_name=given, organisation=org)
    consent = ok(
        client.post(
            f"/api/v1/beneficiaries/{person.id}/consents",
            json={"purpose": "matching", "text_version": "v1", "collection_method": "paper_signed"},
            headers=org.operator,
        )
    )
    person.consent_id = consent["id"]
    return person


def _casework(client: httpx.Client, person: Person, offers: list[str]) -> None:
    headers = person.organisation.operator

    def opened() -> Any:
        answer = client.post(
            "/api/v1/pathways", json={"beneficiary_id": person.id}, headers=headers
        )
        return answer.status_code == 201 and answer.json()

    pathway = eventually(opened)
    person.pathway_id = pathway["id"]
    url = f"/api/v1/pathways/{person.pathway_id}"
    ok(
        client.post(
            f"{url}/assessments",
            json={
                "territorial_context": {"municipality": "Latina"},
                "labour_market_position": "unemployed_seeking",
                "needs": [{"domain": "employment", "severity": "high"}],
            },
            headers=headers,
        )
    )
    ok(
        client.post(
            f"{url}/actions",
            json={"actions": [{"type": "vocational_training", "title": "Kitchen hygiene course"}]},
            headers=headers,
        )
    )
    person.action_id = ok(client.get(f"{url}/actions", headers=headers))["items"][0]["id"]
    for offer_id in offers:

        def referred(offer_id: str = offer_id) -> Any:
            answer = client.post(
                "/api/v1/referrals",
                json={"beneficiary_id": person.id, "offer_id": offer_id},
                headers=headers,
            )
            return answer.status_code == 201 and answer.json()

        person.referral_ids.append(eventually(referred)["id"])


def build_world(client: httpx.Client) -> World:
    ngo = organisation(client, "Caritas")
    other_ngo = organisation(client, "Arci")
    employer = organisation(client, "Trattoria", kind="employer")
    offers = [
        ok(
            client.post(
                "/api/v1/offers",
                json={"type": "training", "title": title, "seats": 5, "status": "open"},
                headers=employer.admin,
            )
        )["id"]
        for title in ("Kitchen assistant course", "Pizza chef internship")
    ]
    world = World(
        ngo=ngo,
        other_ngo=other_ngo,
        employer=employer,
        offers=offers,
        kwame=_person(client, ngo, "Kwame", "Mensah"),
        amina=_person(client, ngo, "Amina", "Diallo"),
        lena=_person(client, other_ngo, "Lena", "Haddad"),
    )
    _casework(client, world.kwame, offers)
    _casework(client, world.amina, offers[:1])
    _casework(client, world.lena, offers[:1])
    invitation = ok(
        client.post(f"/api/v1/beneficiaries/{world.kwame.id}/invitations", headers=ngo.operator)
    )
    world.tokens = ok(
        client.post(
            "/api/v1/auth/activate", json={"code": invitation["code"], "password": PASSWORD}
        )
    )
    return world
