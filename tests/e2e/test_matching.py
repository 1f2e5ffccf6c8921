"""End to end through the gateway: a person consents to matching, their operator finds the
internship that fits, refers them; the provider sees only the card, accepts and enrols them, and
the pathway's action follows the referral."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import consent_to_matching, eventually, organisation
from tests.matching.esco import subset_taxonomy

pytestmark = pytest.mark.e2e

BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_referral_from_match_to_enrolment_moves_the_pathway_action(stack: Stack) -> None:
    taxonomy = subset_taxonomy()
    bricks = sorted(taxonomy.essential[BRICKLAYER])[:3]
    with stack.client() as client:
        ngo = organisation(client, "Caritas")
        builder = organisation(client, "Edilcassa", kind="employer")
        provider = builder.admin  # org admins manage their organisation's offers
        internship = _ok(
            client.post(
                "/api/v1/offers",
                json={
                    "type": "internship",
                    "title": "Bricklaying internship",
                    "seats": 2,
                    "status": "open",
                    "skills_required": bricks,
                    "occupation_uri": BRICKLAYER,
                    "municipality": "Latina",
                },
                headers=provider,
            )
        )
        person = _ok(
            client.post(
                "/api/v1/beneficiaries",
                json={
                    "given_name": "Kwame",
                    "family_name": "Mensah",
                    "birth_date": "1998-02-14",
                    "sex": "male",
                    "nationality": "GH",
                    "municipality": "Latina",
                    "contact": {"phone": "+39 333 123 4567"},
                    "skills": [{"uri": uri, "label": taxonomy.label(uri)} for uri in bricks],
                },
                headers=ngo.operator,
            )
        )
        matches_url = f"/api/v1/beneficiaries/{person['id']}/matches"
        no_consent = eventually(
            lambda: (a := client.get(matches_url, headers=ngo.operator)).status_code == 409 and a
        )
        assert no_consent.json()["type"].endswith("consent-required")
        consent_to_matching(client, person["id"], ngo.operator)
        found = eventually(
            lambda: (
                (a := client.get(matches_url, headers=ngo.operator)).status_code == 200
                and a.json()["items"]
            )
        )
        assert found[0]["offer"]["id"] == internship["id"]
        assert "3 of 3 required skills" in found[0]["explanation"][0]["detail"]

        pathway = eventually(
            lambda: (
                (
                    a := client.post(
                        "/api/v1/pathways",
                        json={"beneficiary_id": person["id"]},
                        headers=ngo.operator,
                    )
                ).status_code
                == 201
                and a.json()
            )
        )
        url = f"/api/v1/pathways/{pathway['id']}"
        _ok(
            client.post(
                f"{url}/assessments",
                json={
                    "territorial_context": {"municipality": "Latina"},
                    "labour_market_position": "unemployed_seeking",
                    "needs": [{"domain": "employment", "severity": "high"}],
                },
                headers=ngo.operator,
            )
        )
        _ok(
            client.post(
                f"{url}/actions",
                json={"actions": [{"type": "internship", "title": "Bricklaying internship"}]},
                headers=ngo.operator,
            )
        )
        actions = client.get(f"{url}/actions", headers=ngo.operator).json()["items"]
        action_id = next(a["id"] for a in actions if a["type"] == "internship")

        referral = _ok(
            client.post(
                "/api/v1/referrals",
                json={
                    "beneficiary_id": person["id"],
                    "offer_id": internship["id"],
                    "pathway_id": pathway["id"],
                    "action_id": action_id,
                },
                headers=ngo.operator,
            )
        )
        seen = _ok(client.get(f"/api/v1/referrals/{referral['id']}", headers=provider))
        # The match it was proposed on, kept: the same skills object matches show.
        assert referral["match"]["skills"] == found[0]["skills"]
        assert [s["uri"] for s in referral["match"]["skills"]["matched"]] == bricks
        assert {c["criterion"] for c in referral["match"]["explanation"]} == {
            c["criterion"] for c in found[0]["explanation"]
        }
        assert 0 < referral["score"] <= 1
        assert seen["match"] == referral["match"]
        assert seen["person"]["given_name"] == "Kwame"
        assert seen["person"]["contact"] == {"phone": "+39 333 123 4567"}
        assert "birth_date" not in seen["person"]
        assert "nationality" not in str(seen["person"])
        for status in ("accepted", "enrolled"):
            _ok(
                client.patch(
                    f"/api/v1/referrals/{referral['id']}", json={"status": status}, headers=provider
                )
            )
        offer = _ok(client.get(f"/api/v1/offers/{internship['id']}", headers=ngo.operator))
        assert offer["seats_left"] == 1

        def action_started() -> bool:
            actions = client.get(f"{url}/actions", headers=ngo.operator).json()["items"]
            return any(a["id"] == action_id and a["status"] == "in_progress" for a in actions)

        assert eventually(action_started)
