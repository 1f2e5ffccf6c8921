"""End to end through the gateway (issue 16, item 3): tasks and reminders. A placement follow-up
due on a closed pathway is in the operator's list on its day (dates set relative to today, as
``tests/dates.py`` does: the placement is dated so that the 3-month follow-up falls due today,
the 6-month one later) and goes once recorded; another organisation, a provider and a cluster
coordinator see nothing; snooze hides a task, done ends it, reassigning to someone who is not
an active case worker of the organisation is a 422 and to a colleague moves the task."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from services.pathways.domain.employment import follow_up_dates
from tests.dates import today
from tests.e2e.conftest import Stack
from tests.e2e.helpers import bearer, eventually, organisation, signed_in_user
from tests.e2e.test_referral_ownership import CONSENT, pathway_with_action

pytestmark = pytest.mark.e2e

TASKS = "/api/v1/tasks"


def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code in (200, 201), (answer.request.url, answer.text)
    return answer.json()


def _placed_on(day: date) -> date:
    """The placement whose 3-month follow-up falls due on ``day`` (or, at a month's end that no
    placement reaches, the latest before it)."""
    candidates = [day - timedelta(days=back) for back in range(85, 100)]
    return max(d for d in candidates if follow_up_dates(d)[0][1] <= day)


def _listed(client: httpx.Client, headers: dict[str, str], **query: str) -> list[Any]:
    items: list[Any] = _ok(client.get(TASKS, params=query, headers=headers))["items"]
    return items


def test_a_follow_up_on_a_closed_pathway_is_due_on_its_day_and_gone_once_recorded(
    stack: Stack,
) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Casa dei diritti")
        other = organisation(client, "Altra ONG")
        employer = organisation(client, "Trattoria", kind="employer")
        provider = bearer(signed_in_user(client, employer.admin, employer.id, "provider", "T")[2])
        coordinator = bearer(
            signed_in_user(client, ngo.admin, ngo.id, "cluster_coordinator", "T")[2]
        )
        colleague_id, _, colleague_token = signed_in_user(
            client, ngo.admin, ngo.id, "operator", "colleague"
        )
        colleague = bearer(colleague_token)
        outsider_id = signed_in_user(client, other.admin, other.id, "operator", "outsider")[0]

        body = {
            "given_name": "Bilal",
            "family_name": "Haddad",
            "birth_date": "1996-02-11",
            "sex": "male",
            "nationality": "SY",
            "municipality": "Roma",
        }
        bilal = _ok(client.post("/api/v1/beneficiaries", json=body, headers=ngo.operator))["id"]
        pathway = eventually(
            lambda: (
                (
                    a := client.post(
                        "/api/v1/pathways", json={"beneficiary_id": bilal}, headers=ngo.operator
                    )
                ).status_code
                == 201
                and a.json()
            )
        )["id"]
        url = f"/api/v1/pathways/{pathway}"
        assessment = {
            "territorial_context": {"municipality": "Roma"},
            "labour_market_position": "unemployed_seeking",
            "needs": [{"domain": "employment", "severity": "high"}],
        }
        _ok(client.post(f"{url}/assessments", json=assessment, headers=ngo.operator))
        actions = {"actions": [{"type": "job_placement", "title": "Kitchen assistant"}]}
        _ok(client.post(f"{url}/actions", json=actions, headers=ngo.operator))
        placed = _placed_on(today())
        monitoring = {
            "date": placed.isoformat(),
            "employment_status": "precarious_formal",
            "progress": [],
        }
        _ok(client.post(f"{url}/monitoring", json=monitoring, headers=ngo.operator))
        _ok(client.post(f"{url}/close", json={"outcome": "other"}, headers=ngo.operator))
        three, six, _ = _ok(client.get(f"{url}/follow-ups", headers=ngo.operator))["items"]

        # On its day the 3-month follow-up is due; the 6-month one is not yet (only ahead).
        due = _listed(client, ngo.operator, kind="placement_follow_up")
        assert [item["source_id"] for item in due] == [three["id"]]
        [task] = due
        assert task["due_on"] == three["due_on"]
        assert three["due_on"] <= today().isoformat()
        assert (task["pathway_id"], task["beneficiary_id"]) == (pathway, bilal)
        assert task["status"] == "open"
        ahead = date.fromisoformat(six["due_on"]) + timedelta(days=1)
        later = _listed(client, ngo.operator, kind="placement_follow_up", due_before=str(ahead))
        assert [item["source_id"] for item in later] == [three["id"], six["id"]]
        assert task in _listed(client, ngo.admin)  # the organisation's list
        one = client.get(f"{TASKS}/{task['id']}", headers=ngo.operator)
        assert _ok(one) == task
        assert one.headers["etag"] == '"1"'

        # Nobody else sees it.
        for stranger in (other.admin, other.operator, provider, coordinator):
            assert client.get(f"{TASKS}/{task['id']}", headers=stranger).status_code == 404
            assert _listed(client, stranger) == []
            assert _listed(client, stranger, status="done") == []

        # Reassigning: to someone of another organisation, 422 and nothing changed; to a colleague.
        change = f"{TASKS}/{task['id']}"
        refused = client.patch(
            change, json={"assigned_to": outsider_id}, headers={**ngo.operator, "If-Match": '"1"'}
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["field"] == "body.assigned_to"
        assert _ok(client.get(change, headers=ngo.operator))["assigned_to"] == task["assigned_to"]
        moved = client.patch(
            change, json={"assigned_to": colleague_id}, headers={**ngo.operator, "If-Match": '"1"'}
        )
        assert _ok(moved)["assigned_to"] == colleague_id
        assert moved.headers["etag"] == '"2"'
        assert _listed(client, ngo.operator, kind="placement_follow_up") == []
        [theirs] = _listed(client, colleague, kind="placement_follow_up")
        assert theirs["id"] == task["id"]

        # Snoozed: hidden from what is due until its day.
        until = (today() + timedelta(days=3)).isoformat()
        snooze = {"snoozed_until": until, "snooze_reason": "Bilal is travelling"}
        stale = client.patch(change, json=snooze, headers={**colleague, "If-Match": '"1"'})
        assert stale.status_code == 412
        snoozed = _ok(client.patch(change, json=snooze, headers={**colleague, "If-Match": '"2"'}))
        assert (snoozed["status"], snoozed["snoozed_until"]) == ("snoozed", until)
        assert _listed(client, colleague, kind="placement_follow_up") == []
        assert [i["id"] for i in _listed(client, colleague, status="snoozed")] == [task["id"]]

        # Recorded: the task is gone, whatever was done to it.
        record = {"still_in_work": True, "contract_type": "fixed_term"}
        _ok(client.post(f"{url}/follow-ups/{three['id']}", json=record, headers=ngo.operator))
        assert client.get(change, headers=colleague).status_code == 404
        assert _listed(client, colleague, status="snoozed") == []


def test_manual_tasks_done_and_refused(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Sportello lavoro")
        other = organisation(client, "Altro sportello")
        yesterday = (today() - timedelta(days=1)).isoformat()
        body = {"title": "Phone the training centre", "due_on": yesterday}
        headers = {**ngo.operator, "Idempotency-Key": "task-1"}
        created = client.post(TASKS, json=body, headers=headers)
        task = _ok(created)
        assert created.status_code == 201
        assert created.headers["location"] == f"{TASKS}/{task['id']}"
        assert _ok(client.post(TASKS, json=body, headers=headers))["id"] == task["id"]
        assert (task["kind"], task["status"], task["overdue"]) == ("manual", "open", True)
        assert [item["id"] for item in _listed(client, ngo.operator)] == [task["id"]]

        wrong = client.post(TASKS, json={**body, "colour": "red"}, headers=ngo.operator)
        assert wrong.status_code == 422
        assert wrong.headers["content-type"].startswith("application/problem+json")
        nobody = client.post(TASKS, json={**body, "assigned_to": "nobody"}, headers=ngo.operator)
        assert nobody.status_code == 422
        assert [item["id"] for item in _listed(client, ngo.operator)] == [task["id"]]
        assert client.get(f"{TASKS}/{task['id']}", headers=other.operator).status_code == 404
        mine = {**other.operator, "If-Match": "*"}
        taken = client.patch(f"{TASKS}/{task['id']}", json={"status": "done"}, headers=mine)
        assert taken.status_code == 404

        url = f"{TASKS}/{task['id']}"
        assert client.patch(url, json={"status": "done"}, headers=ngo.operator).status_code == 428
        done = _ok(
            client.patch(url, json={"status": "done"}, headers={**ngo.operator, "If-Match": '"1"'})
        )
        assert done["status"] == "done"
        assert done["done_at"]
        assert _listed(client, ngo.operator) == []
        assert [item["id"] for item in _listed(client, ngo.operator, status="done")] == [task["id"]]


def test_a_referral_waits_for_the_providers_answer_in_the_referrers_list(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Sportello migranti")
        employer = organisation(client, "Panificio", kind="employer")
        course = {"type": "training", "title": "Bakery course", "seats": 2, "status": "open"}
        offer = _ok(client.post("/api/v1/offers", json=course, headers=employer.admin))["id"]
        body = {
            "given_name": "Samira",
            "family_name": "Benali",
            "birth_date": "1999-09-09",
            "sex": "female",
            "nationality": "MA",
            "municipality": "Roma",
        }
        samira = _ok(client.post("/api/v1/beneficiaries", json=body, headers=ngo.operator))["id"]
        consents = f"/api/v1/beneficiaries/{samira}/consents"
        _ok(client.post(consents, json=CONSENT, headers=ngo.operator))
        pathway, _ = pathway_with_action(client, ngo.operator, samira)
        referral = eventually(
            lambda: (
                (
                    a := client.post(
                        "/api/v1/referrals",
                        json={"beneficiary_id": samira, "offer_id": offer, "pathway_id": pathway},
                        headers=ngo.operator,
                    )
                ).status_code
                == 201
                and a.json()
            )
        )["id"]

        def waiting() -> list[Any]:
            return _listed(client, ngo.operator, kind="referral_waiting")

        [task] = eventually(waiting)
        assert (task["source_id"], task["pathway_id"]) == (referral, pathway)
        assert _listed(client, employer.admin) == []
        answer = {"status": "accepted"}
        _ok(client.patch(f"/api/v1/referrals/{referral}", json=answer, headers=employer.admin))
        eventually(lambda: waiting() == [])
