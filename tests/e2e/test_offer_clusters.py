"""End to end through the gateway, the multi-cluster acceptance of issue 15: two clusters (Rome on
ITI43, Nicosia on CY000) share a provider; an operator of a Rome member sees Rome's offers and
not Nicosia's in the catalogue, in an offer's read (404) and in a person's matches, unless an
offer is published to both; an offer published to no cluster is seen by both; a referral records
the cluster it was made in.

The clusters and their members are written into matching's database (``tests/matching/
clusters.py``): the clusters API is built apart; switch to it once it lands."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import consent_to_matching, eventually, organisation
from tests.matching.clusters import cluster, member
from tests.support import sql

pytestmark = pytest.mark.e2e

OFFERS = "/api/v1/offers"
PROBLEM = "application/problem+json"


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


def _consenting_person(client: httpx.Client, operator: dict[str, str]) -> str:
    person = _ok(
        client.post(
            "/api/v1/beneficiaries",
            json={
                "given_name": "Amina",
                "family_name": "Diallo",
                "birth_date": "1996-03-02",
                "sex": "female",
                "nationality": "SN",
                "municipality": "Roma",
                "contact": {"phone": "+39 333 765 4321"},
            },
            headers=operator,
        )
    )
    consent_to_matching(client, person["id"], operator)
    person_id: str = person["id"]
    return person_id


async def test_an_operator_of_a_rome_member_sees_romes_offers_not_nicosias(stack: Stack) -> None:
    database = stack.databases["matching"]
    with stack.client() as client:
        in_rome = organisation(client, "Casa Roma")
        in_nicosia = organisation(client, "Nicosia Welcome")
        provider = organisation(client, "Mediterranean Start-ups", kind="employer")
        rome = await cluster(database, "Rome", ["ITI43"], in_rome.id)
        nicosia = await cluster(database, "Nicosia", ["CY000"], in_nicosia.id)
        for cluster_id, org in ((rome, in_rome), (nicosia, in_nicosia), (rome, provider),
                                (nicosia, provider)):  # fmt: skip
            await member(database, cluster_id, org.id)

        def publish(title: str, *clusters: object) -> str:
            body = {
                "type": "entrepreneurship",
                "title": title,
                "seats": 5,
                "status": "open",
                "cluster_ids": [str(c) for c in clusters],
            }
            offer_id: str = _ok(client.post(OFFERS, json=body, headers=provider.admin))["id"]
            return offer_id

        romes = publish("Start-up coaching, Rome", rome)
        nicosias = publish("Start-up coaching, Nicosia", nicosia)
        both = publish("Start-up coaching, both", nicosia, rome)
        anywhere = publish("Start-up coaching, everywhere")
        stranger = organisation(client, "Elsewhere", kind="employer")
        refused = client.post(
            OFFERS,
            json={"type": "job", "title": "Cook", "seats": 1, "cluster_ids": [str(rome)]},
            headers=stranger.admin,
        )
        assert (refused.status_code, refused.headers["content-type"]) == (422, PROBLEM)
        assert [e["field"] for e in refused.json()["errors"]] == ["body.cluster_ids"]

        def catalogue(headers: dict[str, str]) -> set[str]:
            page = client.get(OFFERS, params={"organization_id": provider.id}, headers=headers)
            return {item["id"] for item in _ok(page)["items"]}

        assert catalogue(in_rome.operator) == {romes, both, anywhere}
        assert catalogue(in_nicosia.operator) == {nicosias, both, anywhere}
        assert catalogue(provider.admin) == {romes, nicosias, both, anywhere}
        hidden = client.get(f"{OFFERS}/{nicosias}", headers=in_rome.operator)
        assert (hidden.status_code, hidden.headers["content-type"]) == (404, PROBLEM)
        assert client.get(f"{OFFERS}/{romes}", headers=in_nicosia.operator).status_code == 404
        read = _ok(client.get(f"{OFFERS}/{both}", headers=in_rome.operator))
        assert sorted(read["cluster_ids"]) == sorted([str(rome), str(nicosia)])

        person = _consenting_person(client, in_rome.operator)
        matches_url = f"/api/v1/beneficiaries/{person}/matches"
        params: dict[str, str | int] = {"type": "entrepreneurship", "limit": 100}
        found = eventually(
            lambda: (
                (a := client.get(matches_url, params=params, headers=in_rome.operator)).status_code
                == 200
                and a.json()["items"]
            )
        )
        listed = {item["offer"]["id"] for item in found}
        assert {romes, both, anywhere} <= listed
        assert nicosias not in listed

        def refer(offer_id: str) -> httpx.Response:
            return client.post(
                "/api/v1/referrals",
                json={"beneficiary_id": person, "offer_id": offer_id},
                headers=in_rome.operator,
            )

        assert refer(nicosias).status_code == 404
        in_rome_cluster, in_none = _ok(refer(both)), _ok(refer(anywhere))
        assert in_rome_cluster["cluster_id"] == str(rome)  # the cluster they share
        assert in_none["cluster_id"] is None  # published to every cluster
    # The proposal's event names the same cluster (for pathways and the webhooks).
    rows = await sql(
        database,
        "SELECT payload::text AS p FROM outbox_event WHERE type = 'referral.status_changed'",
    )
    sent = {event["referral_id"]: event for event in (json.loads(row["p"]) for row in rows)}
    assert sent[in_rome_cluster["id"]]["cluster_id"] == str(rome)
    assert sent[in_none["id"]]["cluster_id"] is None
