"""End to end through the gateway: a two-cycle pathway in which the first rights check finds
withheld wages, the escalation appears, closing is refused, the violation is resolved in the next
cycle, the pathway closes with formal employment and the indicators show the move from informal
to formal work; organisation B sees A's pathway only with the person's consent."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.pathways.domain.rights import RIGHTS_ITEMS
from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually, organisation

pytestmark = pytest.mark.e2e

ALL_YES = {item.code: "yes" for item in RIGHTS_ITEMS}
ASSESSMENT = {
    "territorial_context": {"municipality": "Latina", "services_within_reach": ["CPI Latina"]},
    "labour_market_position": "informal",
    "needs": [
        {"domain": "documents_legal", "severity": "high", "conditions": ["employment"]},
        {"domain": "employment", "severity": "high"},
    ],
}


def _post(
    client: httpx.Client, url: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    answer = client.post(url, json=body, headers=headers)
    assert answer.status_code in (200, 201), (url, answer.text)
    result: dict[str, Any] = answer.json()
    return result


def test_a_two_cycle_pathway_from_informal_to_formal_work(stack: Stack) -> None:
    with stack.client() as client:
        a = organisation(client, "Sindacato")
        b = organisation(client, "Comune", kind="local_authority")
        person = _post(
            client,
            "/api/v1/beneficiaries",
            {
                "given_name": "Kwame",
                "family_name": "Mensah",
                "birth_date": "1998-02-14",
                "sex": "male",
                "nationality": "GH",
                "municipality": "Latina",
                "arrival_date": "2024-05-01",
            },
            a.operator,
        )

        def can_open() -> dict[str, Any] | None:
            answer = client.post(
                "/api/v1/pathways", json={"beneficiary_id": person["id"]}, headers=a.operator
            )
            return answer.json() if answer.status_code == 201 else None

        pathway = eventually(can_open)  # the person reaches pathways through intake's events
        url = f"/api/v1/pathways/{pathway['id']}"
        assert client.get(url, headers=b.operator).status_code == 404

        # Cycle 1: the rights check finds withheld wages.
        _post(client, f"{url}/assessments", ASSESSMENT, a.operator)
        _post(
            client,
            f"{url}/actions",
            {
                "actions": [
                    {"type": "legal_aid", "title": "Permit renewal", "need": "documents_legal"}
                ]
            },
            a.operator,
        )
        _post(
            client,
            f"{url}/monitoring",
            {"notes": "Works in the fields, paid cash, sometimes not"},
            a.operator,
        )
        _post(
            client,
            f"{url}/adjustments",
            {
                "reason": "Add a job placement",
                "add": [{"type": "job_placement", "title": "CPI job desk"}],
            },
            a.operator,
        )
        check = _post(
            client,
            f"{url}/rights-checks",
            {
                "answers": {**ALL_YES, "withholding_of_wages": "no"},
                "evidence": {"withholding_of_wages": "Two months unpaid"},
            },
            a.operator,
        )
        assert check["result"]["violations"] == ["withholding_of_wages"]
        actions = client.get(f"{url}/actions", headers=a.operator).json()["items"]
        assert {item["escalation_target"] for item in actions if item["type"] == "escalation"} == {
            "trade_union",
            "labour_inspectorate",
        }
        refused = client.post(
            f"{url}/close", json={"outcome": "formal_employment"}, headers=a.operator
        )
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"

        # Cycle 2: the wages are paid, the person is hired formally.
        _post(
            client,
            f"{url}/assessments",
            {**ASSESSMENT, "labour_market_position": "unemployed_seeking"},
            a.operator,
        )
        _post(
            client,
            f"{url}/actions",
            {"actions": [{"type": "job_placement", "title": "Interview at the cooperative"}]},
            a.operator,
        )
        _post(client, f"{url}/monitoring", {"employment_status": "formal_employment"}, a.operator)
        _post(
            client,
            f"{url}/adjustments",
            {
                "reason": "Placement done",
                "reschedule": [],
                "cancel": [
                    item["id"]
                    for item in client.get(f"{url}/actions", headers=a.operator).json()["items"]
                    if item["status"] in ("planned", "in_progress") and item["type"] == "legal_aid"
                ],
            },
            a.operator,
        )
        resolved = _post(client, f"{url}/rights-checks", {"answers": ALL_YES}, a.operator)
        assert resolved["result"]["resolved"] == ["withholding_of_wages"]
        closed = _post(client, f"{url}/close", {"outcome": "formal_employment"}, a.operator)
        assert (closed["status"], closed["open_rights_violations"]) == ("closed", 0)

        ladder = client.get(f"{url}/employment", headers=a.operator).json()
        assert [(m["from_status"], m["to_status"]) for m in ladder["transitions"]] == [
            ("informal", "unemployed_seeking"),
            ("unemployed_seeking", "formal_employment"),
        ]
        # An operator's report hides small cells; the org admin reads its own counts exactly.
        indicators = client.get("/api/v1/reports/indicators", headers=a.operator).json()
        assert indicators["employment_transitions"] == {
            "informal": {"unemployed_seeking": "<5"},
            "unemployed_seeking": {"formal_employment": "<5"},
        }
        csv = client.get("/api/v1/reports/indicators", headers={**a.operator, "Accept": "text/csv"})
        assert csv.headers["content-type"].startswith("text/csv")
        assert "employment_transitions,unemployed_seeking,formal_employment,<5" in csv.text
        own = client.get("/api/v1/reports/indicators", headers=a.admin).json()
        assert own["employment_transitions"]["unemployed_seeking"] == {"formal_employment": 1}

        # Organisation B sees the pathway once the person shares the pathway section with it.
        _post(
            client,
            f"/api/v1/beneficiaries/{person['id']}/consents",
            {
                "purpose": "sharing",
                "organization_id": b.id,
                "sections": ["identity", "pathway"],
                "text_version": "it-2026",
                "collection_method": "paper_signed",
            },
            a.operator,
        )
        eventually(lambda: client.get(url, headers=b.operator).status_code == 200)
        assert client.get(f"{url}/timeline", headers=b.operator).status_code == 200
