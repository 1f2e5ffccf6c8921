"""End to end through the gateway: a pathway is reassigned only to an active operator of its
organisation (the gateway's users, asked over its internal door); a closed pathway reopens with a
reason and carries on in its cycle, the timeline telling who reopened it and why; an open one is
a 409."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually, new_user, organisation

pytestmark = pytest.mark.e2e

ASSESSMENT = {
    "territorial_context": {"municipality": "Latina"},
    "labour_market_position": "informal",
    "needs": [{"domain": "employment", "severity": "high"}],
}
PROBLEM = "application/problem+json"


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    result: dict[str, Any] = answer.json()
    return result


def _reassign(client: httpx.Client, url: str, headers: dict[str, str], to: str) -> httpx.Response:
    etag = client.get(url, headers=headers).headers["etag"]
    return client.patch(url, json={"assigned_to": to}, headers={**headers, "If-Match": etag})


def test_reassign_to_an_active_colleague_then_close_and_reopen(stack: Stack) -> None:
    with stack.client() as client:
        a = organisation(client, "Sindacato")
        b = organisation(client, "Comune", kind="local_authority")
        person = _ok(
            client.post(
                "/api/v1/beneficiaries",
                json={"given_name": "Amina", "family_name": "Diallo", "birth_date": "2000-03-09"},
                headers=a.operator,
            )
        )

        def can_open() -> dict[str, Any] | None:
            answer = client.post(
                "/api/v1/pathways", json={"beneficiary_id": person["id"]}, headers=a.operator
            )
            return answer.json() if answer.status_code == 201 else None

        pathway = eventually(can_open)
        url = f"/api/v1/pathways/{pathway['id']}"

        # Reassigning: to a colleague, yes; to B's operator or a deactivated account, no.
        colleague, _ = new_user(client, a.admin, a.id, "operator", "Sindacato")
        assert _ok(_reassign(client, url, a.operator, colleague))["assigned_to"] == colleague
        stranger, _ = new_user(client, b.admin, b.id, "operator", "Comune")
        leaver, _ = new_user(client, a.admin, a.id, "operator", "Sindacato")
        user_url = f"/api/v1/users/{leaver}"
        etag = client.get(user_url, headers=a.admin).headers["etag"]
        _ok(
            client.patch(user_url, json={"is_active": False}, headers={**a.admin, "If-Match": etag})
        )
        for refused_id in (stranger, leaver):
            refused = _reassign(client, url, a.operator, refused_id)
            assert refused.status_code == 422, refused.text
            assert refused.headers["content-type"] == PROBLEM
            assert refused.json()["errors"][0]["field"] == "body.assigned_to"
        assert client.get(url, headers=a.operator).json()["assigned_to"] == colleague

        # Reopening: refused while open; a closed pathway carries on in its cycle.
        open_refused = client.post(f"{url}/reopen", json={"reason": "x"}, headers=a.operator)
        assert open_refused.status_code == 409
        _ok(client.post(f"{url}/assessments", json=ASSESSMENT, headers=a.operator))
        _ok(client.post(f"{url}/close", json={"outcome": "moved_away"}, headers=a.operator))
        no_reason = client.post(f"{url}/reopen", json={}, headers=a.operator)
        assert no_reason.status_code == 422
        unseen = client.post(f"{url}/reopen", json={"reason": "x"}, headers=b.operator)
        assert unseen.status_code == 404  # B does not see the pathway
        reopened = _ok(
            client.post(
                f"{url}/reopen",
                json={"reason": "Came back to Latina; looking for work again"},
                headers=a.operator,
            )
        )
        assert (reopened["status"], reopened["stage"], reopened["cycle"]) == ("open", "assess", 1)
        assert reopened["allowed_next_steps"] == ["respond"]
        _ok(
            client.post(
                f"{url}/actions",
                json={"actions": [{"type": "job_placement", "title": "CPI Latina"}]},
                headers=a.operator,
            )
        )
        entries = _ok(client.get(f"{url}/timeline", headers=a.operator))["items"]
        reopening = next(entry for entry in entries if entry["kind"] == "reopened")
        assert reopening["summary"]["reason"] == "Came back to Latina; looking for work again"
        assert reopening["summary"]["previous_outcome"] == "moved_away"
        assert [entry["kind"] for entry in entries][-3:] == ["closed", "reopened", "step:respond"]
