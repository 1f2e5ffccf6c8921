"""End to end through the gateway: a loop that adapts. Coercion heard at a monitoring visit is
checked at once (a rights check out of turn: escalations, urgency, the loop's stage unchanged);
actions are added between steps with a reason; an adjustment keeps the plan for a reason; the
rights check in its turn opens the next cycle; monitoring before a plan is still refused."""

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
    "territorial_context": {"municipality": "Latina"},
    "labour_market_position": "informal",
    "needs": [{"domain": "employment", "severity": "high"}],
}


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_a_rights_check_out_of_turn_and_actions_between_steps(stack: Stack) -> None:
    with stack.client() as client:
        a = organisation(client, "Sindacato")
        person = _ok(
            client.post(
                "/api/v1/beneficiaries",
                json={"given_name": "Sunil", "family_name": "Perera", "birth_date": "1995-07-01"},
                headers=a.operator,
            )
        )

        def can_open() -> dict[str, Any] | None:
            answer = client.post(
                "/api/v1/pathways", json={"beneficiary_id": person["id"]}, headers=a.operator
            )
            return answer.json() if answer.status_code == 201 else None

        url = f"/api/v1/pathways/{eventually(can_open)['id']}"
        _ok(client.post(f"{url}/assessments", json=ASSESSMENT, headers=a.operator))
        early = client.post(f"{url}/monitoring", json={"progress": []}, headers=a.operator)
        assert early.status_code == 409  # no monitoring before a plan
        assert early.json()["allowed_next_steps"] == ["respond"]
        plan = {"actions": [{"type": "job_placement", "title": "CPI Latina"}]}
        _ok(client.post(f"{url}/actions", json=plan, headers=a.operator))
        _ok(client.post(f"{url}/monitoring", json={"progress": []}, headers=a.operator))

        # Coercion heard at the visit: checked at once, the loop stays at monitoring.
        check = {"answers": {**ALL_YES, "withholding_of_wages": "no"}}
        checked = _ok(client.post(f"{url}/rights-checks", json=check, headers=a.operator))
        assert checked["out_of_turn"] is True
        assert checked["result"]["violations"] == ["withholding_of_wages"]
        read = _ok(client.get(url, headers=a.operator))
        assert (read["stage"], read["urgent"], read["open_rights_violations"]) == (
            "monitor",
            True,
            1,
        )

        # Actions between steps need a reason.
        extra = {"actions": [{"type": "legal_aid", "title": "Wage claim"}]}
        refused = client.post(f"{url}/actions", json=extra, headers=a.operator)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "body.reason"
        added = _ok(
            client.post(
                f"{url}/actions", json={**extra, "reason": "Unpaid wages"}, headers=a.operator
            )
        )
        assert added["out_of_turn"] is True

        # An adjustment that keeps the plan, then the rights check in its turn, a new cycle.
        kept = _ok(
            client.post(f"{url}/adjustments", json={"reason": "Plan holds"}, headers=a.operator)
        )
        assert kept["result"]["plan_kept"] is True
        in_turn = _ok(client.post(f"{url}/rights-checks", json=check, headers=a.operator))
        assert in_turn["out_of_turn"] is False
        assert (
            _ok(client.post(f"{url}/assessments", json=ASSESSMENT, headers=a.operator))["cycle"]
            == 2
        )
