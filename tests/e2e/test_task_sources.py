"""End to end through the gateway (issue 16, item 3): the tasks that come from intake's records,
kept current by its events. A document about to expire is a task of the organisation running the
person's pathway from 60 days before (dates relative to today, as ``tests/dates.py`` does), where
that organisation may see the document's section, and goes when the document is deleted; a
permit the record already dates is the permit's own task, not a second one. A transfer request
is a task of the receiving organisation, which nobody holds until it is given to someone, and
goes when it is accepted; the sender and strangers see none."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.dates import today
from tests.e2e.beneficiary_world import ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually, organisation, signed_in_user
from tests.e2e.test_documents import PDF, _share, _upload
from tests.e2e.test_referral_ownership import pathway_with_action
from tests.e2e.test_tasks import TASKS, _listed
from tests.e2e.test_transfers import _ask, _consent, _decide

pytestmark = pytest.mark.e2e


def test_a_document_about_to_expire_is_a_task_until_it_is_deleted(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Sportello documenti")
        other = organisation(client, "Altro sportello")
        permit_day = today() + timedelta(days=20)
        body = {
            "given_name": "Awa",
            "family_name": "Diallo",
            "birth_date": "1994-04-04",
            "legal_status": {
                "permit_type": "IT-lavoro-subordinato",
                "permit_expires_on": permit_day.isoformat(),
            },
        }
        awa = ok(client.post("/api/v1/beneficiaries", json=body, headers=ngo.operator))["id"]
        pathway, _ = pathway_with_action(client, ngo.operator, awa)
        record = f"/api/v1/beneficiaries/{awa}"
        soon = (today() + timedelta(days=30)).isoformat()
        later = (today() + timedelta(days=90)).isoformat()
        # The permit's copy, dated as the record dates it: the permit's task stands for both.
        permit = permit_day.isoformat()
        ok(_upload(client, record, ngo.operator, PDF, kind="permit", expires_on=permit))
        contract = ok(_upload(client, record, ngo.operator, PDF, kind="contract", expires_on=soon))
        diploma = ok(_upload(client, record, ngo.operator, PDF, kind="diploma", expires_on=soon))
        ok(_upload(client, record, ngo.operator, PDF, kind="payslip", expires_on=later))

        def expiring(**query: str) -> list[Any]:
            return _listed(client, ngo.operator, kind="document_expiring", **query)

        # Events arrive in order: once the payslip's is in, the permit's was applied too. The
        # payslip's task is ahead: in the list of what falls due before a later day only.
        ahead = (today() + timedelta(days=91)).isoformat()
        every = eventually(
            lambda: len(expiring(due_before=ahead)) == 3 and expiring(due_before=ahead)
        )
        assert sorted(item["detail"] for item in every) == ["contract", "diploma", "payslip"]
        due = expiring()
        assert {item["source_id"]: item["detail"] for item in due} == {
            contract["id"]: "contract",
            diploma["id"]: "diploma",
        }
        task = next(item for item in due if item["source_id"] == contract["id"])
        assert (task["due_on"], task["pathway_id"], task["beneficiary_id"]) == (soon, pathway, awa)
        assert task in _listed(client, ngo.admin)
        permits = _listed(client, ngo.operator, kind="permit_expiring")
        assert [item["due_on"] for item in permits] == [permit_day.isoformat()]
        assert client.get(f"{TASKS}/{task['id']}", headers=other.admin).status_code == 404
        assert _listed(client, other.admin) == []

        # Another organisation the person shares the pathway section with runs its own pathway:
        # it is reminded of the contract (a pathway paper), not of the diploma (the profile's).
        _share(client, ngo, awa, other.id, ["pathway"])
        pathway_with_action(client, other.operator, awa)
        theirs = _listed(client, other.operator, kind="document_expiring")
        assert [item["detail"] for item in theirs] == ["contract"]

        deleted = client.delete(f"{record}/documents/{contract['id']}", headers=ngo.operator)
        assert deleted.status_code == 204, deleted.text
        eventually(lambda: [item["detail"] for item in expiring()] == ["diploma"])
        assert _listed(client, other.operator, kind="document_expiring") == []
        assert client.get(f"{TASKS}/{task['id']}", headers=ngo.operator).status_code == 404


def test_a_transfer_is_the_receivers_task_until_it_is_decided(stack: Stack) -> None:
    with stack.client() as client:
        rome, latina = organisation(client, "Roma"), organisation(client, "Latina")
        stranger = organisation(client, "Altrove")
        body = {"given_name": "Kofi", "family_name": "Boateng", "birth_date": "1990-01-01"}
        kofi = ok(client.post("/api/v1/beneficiaries", json=body, headers=rome.operator))["id"]
        _consent(client, rome, kofi, latina.id)
        asked = _ask(client, rome, kofi, latina.id)
        assert asked.status_code == 201, asked.text
        transfer = asked.json()

        def to_accept(headers: dict[str, str], **query: str) -> list[Any]:
            return _listed(client, headers, kind="transfer_to_accept", **query)

        # The receiving organisation's list; nobody holds it, so no operator's own list.
        [task] = eventually(lambda: to_accept(latina.admin))
        assert (task["source_id"], task["beneficiary_id"]) == (transfer["id"], kofi)
        assert (task["pathway_id"], task["assigned_to"], task["detail"]) == (None, None, rome.id)
        assert task["due_on"] == today().isoformat()
        assert to_accept(latina.operator) == []
        for outsider in (rome.admin, rome.operator, stranger.admin):
            assert to_accept(outsider) == []
            assert client.get(f"{TASKS}/{task['id']}", headers=outsider).status_code == 404

        # Given to an operator of Latina: in their list.
        colleague_id, _, colleague_token = signed_in_user(
            client, latina.admin, latina.id, "operator", "accoglienza"
        )
        colleague = {"Authorization": f"Bearer {colleague_token}"}
        given = client.patch(
            f"{TASKS}/{task['id']}",
            json={"assigned_to": colleague_id},
            headers={**latina.admin, "If-Match": '"1"'},
        )
        assert ok(given)["assigned_to"] == colleague_id
        assert [item["id"] for item in to_accept(colleague)] == [task["id"]]

        accepted = _decide(client, transfer["id"], colleague, status="accepted")
        assert accepted.status_code == 200, accepted.text
        eventually(lambda: to_accept(latina.admin) == [] and to_accept(colleague) == [])
        assert client.get(f"{TASKS}/{task['id']}", headers=latina.admin).status_code == 404
