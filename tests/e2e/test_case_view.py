"""End to end through the gateway (issue 16, item 7): a case screen in one call. The operator who
follows a person reads the record, the open pathway with its plan's actions and next steps, the
open referral and the consent in one answer composed from three services; another organisation,
the offer's provider and a stranger's id get 404, and nothing of the person leaks."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually, organisation
from tests.e2e.test_referral_ownership import CONSENT, pathway_with_action

pytestmark = pytest.mark.e2e


def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code in (200, 201), (answer.request.url, answer.text)
    return answer.json()


def test_the_case_view_shows_the_followers_case_and_nobody_elses(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Centro Astalli")
        employer = organisation(client, "Ristorante", kind="employer")
        stranger = organisation(client, "Altra ONG")
        course = {"type": "training", "title": "Pizzaiolo course", "seats": 4, "status": "open"}
        offer = _ok(client.post("/api/v1/offers", json=course, headers=employer.admin))["id"]

        body = {
            "given_name": "Awa",
            "family_name": "Diallo",
            "birth_date": "1994-05-17",
            "sex": "female",
            "nationality": "SN",
            "municipality": "Roma",
        }
        awa = _ok(client.post("/api/v1/beneficiaries", json=body, headers=ngo.operator))["id"]
        consent = _ok(
            client.post(f"/api/v1/beneficiaries/{awa}/consents", json=CONSENT, headers=ngo.operator)
        )
        pathway, action = pathway_with_action(client, ngo.operator, awa)
        notes = f"/api/v1/beneficiaries/{awa}/notes"
        for text in ("Called about the course", "Wants evening hours"):
            note = {"text": text, "section": "pathway", "pathway_id": pathway}
            _ok(client.post(notes, json=note, headers=ngo.operator))
        referral = eventually(
            lambda: (
                (
                    a := client.post(
                        "/api/v1/referrals",
                        json={"beneficiary_id": awa, "offer_id": offer, "pathway_id": pathway},
                        headers=ngo.operator,
                    )
                ).status_code
                == 201
                and a.json()
            )
        )

        visit = {
            "beneficiary_id": awa,
            "pathway_id": pathway,
            "start_at": "2099-03-02T09:30:00+01:00",
            "address": "Via dei Volsci 12, Roma",
            "purpose": "Course enrolment",
        }
        booked = _ok(client.post("/api/v1/appointments", json=visit, headers=ngo.operator))
        reminder = {"title": "Call the school", "due_on": "2000-01-03", "pathway_id": pathway}
        task = _ok(client.post("/api/v1/tasks", json=reminder, headers=ngo.operator))
        other = _ok(
            client.post(
                "/api/v1/beneficiaries", json={**body, "given_name": "Omar"}, headers=ngo.operator
            )
        )["id"]
        elsewhere = {"title": "Call Omar", "due_on": "2000-01-03", "beneficiary_id": other}
        omars = eventually(  # once pathways has heard of Omar
            lambda: (
                (
                    a := client.post("/api/v1/tasks", json=elsewhere, headers=ngo.operator)
                ).status_code
                == 201
                and a.json()
            )
        )

        answer = client.get(f"/api/v1/cases/{awa}", headers=ngo.operator)
        case = _ok(answer)
        assert answer.headers["cache-control"] == "no-store"
        assert case["unavailable"] == []
        assert case["beneficiary"]["id"] == awa
        assert case["beneficiary"]["given_name"] == "Awa"
        [followed] = case["pathways"]
        assert followed["pathway"]["id"] == pathway
        assert followed["pathway"]["stage"] == "respond"
        assert followed["pathway"]["allowed_next_steps"]
        assert [item["id"] for item in followed["actions"]] == [action]
        assert [item["id"] for item in case["referrals"]] == [referral["id"]]
        assert case["referrals"][0]["status"] == "proposed"
        assert [item["id"] for item in case["consents"]] == [consent["id"]]
        assert [item["text"] for item in case["notes"]] == [
            "Wants evening hours",
            "Called about the course",
        ]

        assert [item["id"] for item in case["appointments"]] == [booked["id"]]
        assert task["id"] in [item["id"] for item in case["tasks"]]
        assert omars["id"] not in [item["id"] for item in case["tasks"]]
        assert {item["beneficiary_id"] for item in case["tasks"]} == {awa}

        # The same parts as the single calls answer.
        single = _ok(client.get(f"/api/v1/pathways/{pathway}", headers=ngo.operator))
        assert followed["pathway"] == single

        # Another organisation, the offer's provider and an unknown id: 404, nothing of Awa.
        for headers, person in (
            (stranger.operator, awa),
            (employer.admin, awa),
            (ngo.operator, str(uuid.uuid4())),
        ):
            refused = client.get(f"/api/v1/cases/{person}", headers=headers)
            assert refused.status_code == 404, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert "Awa" not in refused.text
            assert pathway not in refused.text

        # No token: 401; a malformed id: 422.
        assert client.get(f"/api/v1/cases/{awa}").status_code == 401
        assert client.get("/api/v1/cases/not-an-id", headers=ngo.operator).status_code == 422
