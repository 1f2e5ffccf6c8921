"""End to end through the gateway: a person moves from Rome to Latina. Rome asks Latina to take
over the case with the person's transfer consent; Latina sees the request and the name, not the
record; it accepts, reads the record and opens a pathway once pathways' mirror follows the new
owner, while Rome no longer reads the record until the person shares it with Rome. A rejection
leaves everything as it was."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.beneficiary_world import ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import Organisation, eventually, organisation

pytestmark = pytest.mark.e2e

CONSENT = {"text_version": "it-2026", "collection_method": "paper_signed"}


def _consent(
    client: httpx.Client, owner: Organisation, person_id: str, to: str, **terms: Any
) -> None:
    body = {"purpose": "transfer", "organization_id": to, **CONSENT, **terms}
    ok(
        client.post(
            f"/api/v1/beneficiaries/{person_id}/consents", json=body, headers=owner.operator
        )
    )


def _ask(client: httpx.Client, by: Organisation, person_id: str, to: str) -> httpx.Response:
    body = {"beneficiary_id": person_id, "to_organization_id": to, "reason": "Moved to Latina"}
    headers = {**by.operator, "Idempotency-Key": uuid.uuid4().hex}
    return client.post("/api/v1/transfers", json=body, headers=headers)


def _decide(
    client: httpx.Client, transfer_id: str, headers: dict[str, str], **body: Any
) -> httpx.Response:
    url = f"/api/v1/transfers/{transfer_id}"
    tag = client.get(url, headers=headers).headers["ETag"]
    return client.patch(url, json=body, headers={**headers, "If-Match": tag})


def _may_open_pathway(client: httpx.Client, person_id: str, headers: dict[str, str]) -> Any:
    answer = client.post("/api/v1/pathways", json={"beneficiary_id": person_id}, headers=headers)
    return answer.json() if answer.status_code == 201 else None


def test_a_case_moves_from_rome_to_latina(stack: Stack) -> None:
    with stack.client() as client:
        rome, latina = organisation(client, "Rome"), organisation(client, "Latina")
        body = {"given_name": "Kwame", "family_name": "Mensah", "birth_date": "1995-02-11"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=rome.operator))
        record = f"/api/v1/beneficiaries/{person['id']}"
        rome_pathway = eventually(lambda: _may_open_pathway(client, person["id"], rome.operator))

        # Without the person's consent, nothing is asked.
        refused = _ask(client, rome, person["id"], latina.id)
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert ok(client.get("/api/v1/transfers", headers=rome.operator))["items"] == []

        _consent(client, rome, person["id"], latina.id)
        asked = _ask(client, rome, person["id"], latina.id)
        assert asked.status_code == 201, asked.text
        transfer = asked.json()

        # Latina sees it in its list, with the name, but not the record.
        received = ok(
            client.get("/api/v1/transfers?direction=received&status=pending", headers=latina.admin)
        )["items"]
        assert [item["id"] for item in received] == [transfer["id"]]
        assert received[0]["person"] == {"given_name": "Kwame", "family_name": "Mensah"}
        assert client.get(record, headers=latina.operator).status_code == 404
        assert client.get(f"{record}/history", headers=latina.admin).status_code == 404

        accepted = _decide(client, transfer["id"], latina.operator, status="accepted")
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "accepted"

        # Latina holds the record now and opens a pathway once pathways' mirror follows.
        assert ok(client.get(record, headers=latina.operator))["organization_id"] == latina.id
        eventually(lambda: _may_open_pathway(client, person["id"], latina.operator))
        # Rome no longer reads the record, nor its own pathway of the person (pathways' access
        # follows the owner); Latina reads that pathway as the person's history. Rome's request
        # stays in its list.
        assert client.get(record, headers=rome.operator).status_code == 404
        old = f"/api/v1/pathways/{rome_pathway['id']}"
        eventually(lambda: client.get(old, headers=rome.operator).status_code == 404)
        assert ok(client.get(old, headers=latina.operator))["organization_id"] == rome.id
        sent = ok(client.get("/api/v1/transfers?direction=sent", headers=rome.operator))["items"]
        assert [item["status"] for item in sent] == ["accepted"]
        history = ok(client.get(f"{record}/history", headers=latina.admin))["items"]
        assert "transferred" in [change["action"] for change in history]

        # The person shares with Rome again: Rome reads what was shared.
        share = {
            "purpose": "sharing",
            "organization_id": rome.id,
            "sections": ["identity"],
            **CONSENT,
        }
        ok(client.post(f"{record}/consents", json=share, headers=latina.operator))
        assert ok(client.get(record, headers=rome.operator))["id"] == person["id"]


def test_a_rejection_leaves_everything_as_it_was(stack: Stack) -> None:
    with stack.client() as client:
        rome, latina = organisation(client, "Rome"), organisation(client, "Latina")
        body = {"given_name": "Amina", "family_name": "Diallo", "birth_date": "1999-08-30"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=rome.operator))
        record = f"/api/v1/beneficiaries/{person['id']}"
        _consent(client, rome, person["id"], latina.id)
        before = ok(client.get(record, headers=rome.operator))
        transfer = ok(_ask(client, rome, person["id"], latina.id))

        # The sender does not accept its own request; without a reason no rejection.
        assert _decide(client, transfer["id"], rome.operator, status="accepted").status_code == 403
        assert (
            _decide(client, transfer["id"], latina.operator, status="rejected").status_code == 422
        )
        rejected = _decide(
            client, transfer["id"], latina.operator, status="rejected", reason="No places left"
        )
        assert rejected.status_code == 200, rejected.text
        assert ok(client.get(record, headers=rome.operator)) == before
        assert client.get(record, headers=latina.operator).status_code == 404
        eventually(lambda: _may_open_pathway(client, person["id"], rome.operator))
        assert _may_open_pathway(client, person["id"], latina.operator) is None
