"""End to end through the gateway (issue 12, item 2): a referral naming another organisation's
pathway action. An employer that both registers people and publishes offers refers a person of
its own to its own offer, naming the action an NGO's real referral carries out. Matching refuses
a pathway that is not the referrer's for that person (422, nothing stored); where the pathway is
the referrer's own but the action is not, pathways refuses to apply the referral's status to it
(logged, not applied), and the NGO's action follows only its own referral. The provider never
reads the referrer's pathway and action ids."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import Organisation, eventually, open_pathway, organisation

pytestmark = pytest.mark.e2e

CONSENT = {"purpose": "matching", "text_version": "v1", "collection_method": "paper_signed"}


def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code in (200, 201), (answer.request.url, answer.text)
    return answer.json()


def _person(client: httpx.Client, headers: dict[str, str], given: str) -> str:
    body = {
        "given_name": given,
        "family_name": "Mensah",
        "birth_date": "1996-03-09",
        "sex": "male",
        "nationality": "GH",
        "municipality": "Latina",
        "contact": {"phone": "+39 333 765 4321"},
    }
    person: str = _ok(client.post("/api/v1/beneficiaries", json=body, headers=headers))["id"]
    _ok(client.post(f"/api/v1/beneficiaries/{person}/consents", json=CONSENT, headers=headers))
    return person


def pathway_with_action(
    client: httpx.Client, headers: dict[str, str], person: str
) -> tuple[str, str]:
    pathway = open_pathway(client, headers, person)
    url = f"/api/v1/pathways/{pathway['id']}"
    assessment = {
        "territorial_context": {"municipality": "Latina"},
        "labour_market_position": "unemployed_seeking",
        "needs": [{"domain": "employment", "severity": "high"}],
    }
    _ok(client.post(f"{url}/assessments", json=assessment, headers=headers))
    actions = {"actions": [{"type": "vocational_training", "title": "Kitchen course"}]}
    _ok(client.post(f"{url}/actions", json=actions, headers=headers))
    action: str = _ok(client.get(f"{url}/actions", headers=headers))["items"][0]["id"]
    return pathway["id"], action


def _refer(client: httpx.Client, headers: dict[str, str], body: dict[str, str]) -> httpx.Response:
    """A proposal, once matching has heard of the person and the pathway."""
    answer: httpx.Response = eventually(
        lambda: (
            (a := client.post("/api/v1/referrals", json=body, headers=headers)).status_code
            not in (404, 409)  # the person or their consent not yet known to matching
            and a
        )
    )
    return answer


def _action_status(client: httpx.Client, org: Organisation, pathway: str, action: str) -> str:
    status: str = _ok(
        client.get(f"/api/v1/pathways/{pathway}/actions/{action}", headers=org.operator)
    )["status"]
    return status


def test_a_referral_naming_another_organisations_action_never_moves_it(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Caritas")
        employer = organisation(client, "Trattoria", kind="employer")
        course = {"type": "training", "title": "Kitchen course", "seats": 5, "status": "open"}
        offer = _ok(client.post("/api/v1/offers", json=course, headers=employer.admin))["id"]

        kwame = _person(client, ngo.operator, "Kwame")
        ngo_pathway, ngo_action = pathway_with_action(client, ngo.operator, kwame)
        real = _refer(
            client,
            ngo.operator,
            {
                "beneficiary_id": kwame,
                "offer_id": offer,
                "pathway_id": ngo_pathway,
                "action_id": ngo_action,
            },
        )
        assert real.status_code == 201, real.text
        real_id = real.json()["id"]

        # The provider reads the referral, never the referrer's pathway and action.
        seen = _ok(client.get("/api/v1/referrals", headers=employer.admin))["items"]
        assert [item["id"] for item in seen] == [real_id]
        assert seen[0]["pathway_id"] is None
        assert seen[0]["action_id"] is None
        assert (
            ngo_action
            not in client.get(f"/api/v1/referrals/{real_id}", headers=employer.admin).text
        )

        # The employer refers a person of its own to its own offer with the NGO's ids.
        omar = _person(client, employer.admin, "Omar")
        forged = {"beneficiary_id": omar, "offer_id": offer}
        for extra in (
            {"pathway_id": ngo_pathway, "action_id": ngo_action},
            {"action_id": ngo_action},
        ):
            refused = _refer(client, employer.admin, {**forged, **extra})
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["field"] == "body.pathway_id"
        assert (
            _ok(client.get(f"/api/v1/referrals?beneficiary_id={omar}", headers=employer.admin))[
                "items"
            ]
            == []
        )

        # With a pathway of its own for Omar (which matching accepts) and the NGO's action id,
        # the referral is stored, but pathways does not apply its status to the NGO's action.
        own_pathway, own_action = pathway_with_action(client, employer.admin, omar)
        stored = _refer(
            client,
            employer.admin,
            {**forged, "pathway_id": own_pathway, "action_id": ngo_action},
        )
        assert stored.status_code == 201, stored.text
        for status in ("accepted", "enrolled", "completed"):
            _ok(
                client.patch(
                    f"/api/v1/referrals/{stored.json()['id']}",
                    json={"status": status},
                    headers=employer.admin,
                )
            )
        # The NGO's real referral moves on: its action follows (events arrive in order, so the
        # forged ones were handled before).
        _ok(
            client.patch(
                f"/api/v1/referrals/{real_id}", json={"status": "accepted"}, headers=employer.admin
            )
        )
        eventually(lambda: _action_status(client, ngo, ngo_pathway, ngo_action) == "in_progress")
        assert _action_status(client, employer, own_pathway, own_action) == "planned"
        timeline = _ok(
            client.get(f"/api/v1/pathways/{ngo_pathway}/timeline", headers=ngo.operator)
        )["items"]
        referral_entries = [entry for entry in timeline if entry["kind"] == "referral"]
        assert [entry["summary"]["referral_id"] for entry in referral_entries] == [real_id]
        assert "referral_action_refused" in stack.log_text("pathways")
