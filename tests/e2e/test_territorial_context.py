"""End to end through the gateway: the assessment starts from the territory. An operator opens
the territorial context of a person living in Roma (IT_058091): a service point of Roma answers
documents_legal, nothing within reach answers childcare (a gap). The assessment confirms that
service point, a planned action points at it, and a random id is refused with a 422 naming the
field. Service points and the person's territory and needs are written straight into matching's
database: their API and the filling from intake's events are built elsewhere."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import consent_to_matching, eventually, organisation
from tests.matching.reach_data import LATINA, ROMA, place, service_point

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


def _refused_field(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    return [error["field"] for error in answer.json()["errors"]]


def test_an_assessment_starts_from_the_service_points_of_the_persons_territory(
    stack: Stack,
) -> None:
    matching_db = stack.databases["matching"]
    with stack.client() as client:
        ngo = organisation(client, "Caritas Roma")
        comune = organisation(client, "Comune di Roma", kind="local_authority")
        desk = asyncio.run(
            service_point(
                matching_db,
                uuid.UUID(comune.id),
                name="Sportello immigrazione, Municipio I",
                need_domains=["documents_legal"],
                territory_code=ROMA,
                minutes=[("Roma Termini", 12)],
            )
        )
        latina_desk = asyncio.run(
            service_point(
                matching_db,
                uuid.UUID(comune.id),
                name="Latina desk",
                need_domains=["documents_legal", "childcare"],
                territory_code=LATINA,
            )
        )
        person = _ok(
            client.post(
                "/api/v1/beneficiaries",
                json={
                    "given_name": "Amina",
                    "family_name": "Diallo",
                    "birth_date": "1996-06-01",
                    "sex": "female",
                    "nationality": "SN",
                    "municipality": "Roma",
                    "needs": ["documents_legal", "childcare"],
                },
                headers=ngo.operator,
            )
        )
        consent_to_matching(client, person["id"], ngo.operator)
        context_url = f"/api/v1/beneficiaries/{person['id']}/territorial-context"
        eventually(lambda: client.get(context_url, headers=ngo.operator).status_code == 200)
        asyncio.run(
            place(matching_db, uuid.UUID(person["id"]), ROMA, ["documents_legal", "childcare"])
        )

        context = _ok(client.get(context_url, headers=ngo.operator))
        assert context["territory"]["code"] == ROMA
        assert context["reach"]["code"] == "ITI43"
        documents = next(n for n in context["needs"] if n["domain"] == "documents_legal")
        # Other modules of the shared stack publish desks in Roma to everyone: look at ours.
        nearby = {point["id"]: point for point in documents["service_points"]["low_threshold"]}
        assert str(desk) in nearby
        assert str(latina_desk) not in nearby
        assert nearby[str(desk)]["minutes"] == 12
        assert "childcare" in context["gaps"]
        assert "documents_legal" not in context["gaps"]
        # Another organisation, which does not see the person, gets a 404.
        stranger = organisation(client, "Elsewhere")
        assert client.get(context_url, headers=stranger.operator).status_code == 404

        pathway = _ok(
            client.post(
                "/api/v1/pathways", json={"beneficiary_id": person["id"]}, headers=ngo.operator
            )
        )
        url = f"/api/v1/pathways/{pathway['id']}"
        assessment = {
            "territorial_context": {
                "municipality": "Roma",
                "territory_code": context["territory"]["code"],
                "service_point_ids": [str(desk), str(uuid.uuid4())],
            },
            "labour_market_position": "unemployed_seeking",
            "needs": [
                {"domain": "documents_legal", "severity": "high", "conditions": ["childcare"]},
                {"domain": "childcare", "severity": "medium"},
            ],
        }
        random_id = client.post(f"{url}/assessments", json=assessment, headers=ngo.operator)
        assert _refused_field(random_id) == ["body.territorial_context.service_point_ids.1"]
        assessment["territorial_context"]["service_point_ids"] = [str(desk)]  # type: ignore[index]
        assessed = _ok(client.post(f"{url}/assessments", json=assessment, headers=ngo.operator))
        assert assessed["result"]["proposal"]["domain"] == "documents_legal"
        assert assessed["result"]["proposal"]["service_point_ids"] == [str(desk)]
        assert _ok(client.get(url, headers=ngo.operator))["priority_service_point_ids"] == [
            str(desk)
        ]

        action = {"type": "legal_aid", "title": "Permit renewal", "need": "documents_legal"}
        unknown = client.post(
            f"{url}/actions",
            json={"actions": [{**action, "service_point_id": str(uuid.uuid4())}]},
            headers=ngo.operator,
        )
        assert _refused_field(unknown) == ["body.actions.0.service_point_id"]
        _ok(
            client.post(
                f"{url}/actions",
                json={"actions": [{**action, "service_point_id": str(desk)}]},
                headers=ngo.operator,
            )
        )
        (planned,) = client.get(f"{url}/actions", headers=ngo.operator).json()["items"]
        assert planned["service_point_id"] == str(desk)
