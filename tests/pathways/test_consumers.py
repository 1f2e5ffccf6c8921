"""Intake's events in pathways: erasure pseudonymises, merge repoints, stale events do nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from services.pathways.db.models import metadata
from tests.pathways.conftest import ALL_YES, deliver, open_pathway, person, step
from tests.support import Org, envelope, sql

NAME = "Kwame Mensah"  # an operator types the person's name into every free text


async def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


async def test_erasure_removes_what_was_written_and_keeps_the_counts(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    """Issue 12, item 3: the person's name, typed into every free-text field pathways keeps, is
    gone from every row of every table after the erasure; the statistical remainder stays."""
    a, _, _ = orgs
    someone = await person(
        pathways, a, permit_expires_on="2027-02-01", vulnerability_level="critical"
    )
    pathway = await open_pathway(pathways, a, someone)
    url = f"/api/v1/pathways/{pathway['id']}"
    assessment = {
        "territorial_context": {
            "municipality": f"Latina, at {NAME}'s cousin",
            "services_within_reach": [f"{NAME}'s church"],
            "notes": f"{NAME} sleeps at the station",
        },
        "labour_market_position": "informal",
        "needs": [
            {"domain": "employment", "severity": "high"},
            {"domain": "housing", "severity": "medium"},
        ],
        "priority_need": {"domain": "housing", "reason": f"{NAME} has nowhere to sleep"},
    }
    await _ok(await step(pathways, a, pathway["id"], "assess", assessment))
    respond = {
        "actions": [
            {"type": "legal_aid", "title": f"Permit renewal for {NAME}"},
            {
                "type": "qualification_recognition",
                "title": "Diploma",
                "recognition": {"authority": f"{NAME}'s school in Accra"},
            },
        ]
    }
    await _ok(await step(pathways, a, pathway["id"], "respond", respond))
    actions = (await _ok(await pathways.get(f"{url}/actions", headers=a.operator)))["items"]
    first = actions[0]
    patched = await pathways.patch(
        f"{url}/actions/{first['id']}",
        json={"progress": f"{NAME} brought the papers"},
        headers={**a.operator, "If-Match": "*"},
    )
    assert patched.status_code == 200, patched.text
    monitoring = {
        "progress": [{"action_id": first["id"], "note": f"{NAME} is waiting"}],
        "notes": f"Met {NAME} at home",
    }
    await _ok(await step(pathways, a, pathway["id"], "monitor", monitoring))
    adjustment = {
        "reason": f"{NAME} asked for a course",
        "add": [{"type": "language_course", "title": f"Italian A2 for {NAME}"}],
    }
    await _ok(await step(pathways, a, pathway["id"], "adjust", adjustment))
    rights = {
        "answers": {**ALL_YES, "withholding_of_wages": "no"},
        "evidence": {"withholding_of_wages": f"{NAME} unpaid since May by Mr Rossi"},
    }
    await _ok(await step(pathways, a, pathway["id"], "verify_rights", rights))
    await deliver(pathways, _referral_event(someone, a, first["id"], pathway["id"], "accepted"))
    closing = {
        "outcome": "formal_employment",
        "note": f"{NAME} hired by Edilizia Rossi",
        "override_reason": f"{NAME} is safe now",
    }
    await _ok(await pathways.post(f"{url}/close", json=closing, headers=a.admin))
    follow_ups = (await _ok(await pathways.get(f"{url}/follow-ups", headers=a.operator)))["items"]
    await _ok(
        await pathways.post(
            f"{url}/follow-ups/{follow_ups[0]['id']}",
            json={"still_in_work": True, "notes": f"{NAME} is happy"},
            headers=a.operator,
        )
    )
    task = {"title": f"Call {NAME}", "note": "Mr Rossi", "due_on": "2027-01-01"}
    task["pathway_id"] = pathway["id"]
    created = await _ok(await pathways.post("/api/v1/tasks", json=task, headers=a.operator))
    assert created["title"] == f"Call {NAME}"
    before = await _every_row(pathways_database)
    for written in (NAME, "Mr Rossi", "2027-02-01"):
        assert written in before, written  # the test typed it everywhere it checks

    await deliver(
        pathways,
        envelope(
            "beneficiary.erased", {"beneficiary_id": str(someone), "organization_id": str(a.id)}
        ),
    )
    after = await _every_row(pathways_database)
    for personal in ("Kwame", "Mensah", "Mr Rossi", "Accra", "2027-02-01", "critical"):
        assert personal not in after, personal
    counts = await sql(
        pathways_database,
        "SELECT (SELECT count(*) FROM pathway_step) AS steps, "
        "(SELECT count(*) FROM pathway_action) AS actions, "
        "(SELECT count(*) FROM plan_version) AS plans, "
        "(SELECT count(*) FROM rights_violation) AS violations, "
        "(SELECT count(*) FROM placement_follow_up) AS follow_ups",
    )
    assert dict(counts[0]) == {
        "steps": 5,
        "actions": 5,  # with the rights check's escalations
        "plans": 3,
        "violations": 1,
        "follow_ups": 3,
    }
    kept = await sql(pathways_database, "SELECT DISTINCT type FROM pathway_action")
    assert {"language_course", "legal_aid", "qualification_recognition"} <= {
        row["type"] for row in kept
    }
    # What erasure cleared is SQL NULL (not the JSON null, which IS NOT NULL)
    [left] = await sql(
        pathways_database, "SELECT count(*) AS n FROM pathway_action WHERE recognition IS NOT NULL"
    )
    assert left["n"] == 0
    assert (
        await pathways.get(f"/api/v1/pathways/{pathway['id']}", headers=a.operator)
    ).status_code == 404


async def _every_row(url: str) -> str:
    """Every row of every table of pathways, as text."""
    rows = []
    for table in metadata.sorted_tables:
        rows += await sql(url, f'SELECT x::text AS t FROM "{table.name}" x')  # noqa: S608 - model names
    return " ".join(row["t"] for row in rows)


async def test_merge_repoints_pathways_to_the_survivor(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    survivor, merged = await person(pathways, a), await person(pathways, a)
    kept = await open_pathway(pathways, a, survivor)
    folded = await open_pathway(pathways, a, merged)
    await deliver(
        pathways,
        envelope(
            "beneficiary.merged",
            {"merged_id": str(merged), "survivor_id": str(survivor), "organization_id": str(a.id)},
        ),
    )
    listed = (
        await pathways.get(
            "/api/v1/pathways", params={"beneficiary_id": str(survivor)}, headers=a.operator
        )
    ).json()["items"]
    by_id = {item["id"]: item for item in listed}
    assert set(by_id) == {kept["id"], folded["id"]}
    assert by_id[folded["id"]]["status"] == "closed"
    assert by_id[kept["id"]]["status"] == "open"


async def test_an_older_access_event_does_not_undo_a_newer_one(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    someone = await person(pathways, a, shared_with=[(b, ["pathway"])], version=3)
    pathway = await open_pathway(pathways, a, someone)
    stale = envelope(
        "beneficiary.access_changed",
        {
            "beneficiary_id": str(someone),
            "owner_organization_id": str(a.id),
            "grants": [],
            "matching_consent": False,
            "version": 2,
        },
    )
    await deliver(pathways, stale)
    assert (
        await pathways.get(f"/api/v1/pathways/{pathway['id']}", headers=b.operator)
    ).status_code == 200
    assert uuid.UUID(pathway["id"])


async def _pathway_with_action(
    pathways: httpx.AsyncClient, org: Org, someone: uuid.UUID
) -> tuple[str, str]:
    pathway = await open_pathway(pathways, org, someone)
    for kind in ("assess", "respond"):
        assert (await step(pathways, org, pathway["id"], kind)).status_code == 201
    actions = await pathways.get(f"/api/v1/pathways/{pathway['id']}/actions", headers=org.operator)
    return pathway["id"], actions.json()["items"][0]["id"]


def _referral_event(
    beneficiary_id: uuid.UUID,
    referrer: Org,
    action_id: str,
    pathway_id: str | None = None,
    status: str = "completed",
    cluster_id: uuid.UUID | None = None,
) -> dict[str, object]:
    """The event as matching sends it; without ``cluster_id``, in its shape before the field."""
    payload = {
        "referral_id": str(uuid.uuid4()),
        "beneficiary_id": str(beneficiary_id),
        "offer_id": str(uuid.uuid4()),
        "organization_id": str(referrer.id),
        "provider_organization_id": str(uuid.uuid4()),
        "pathway_id": pathway_id,
        "action_id": action_id,
        "status": status,
    }
    if cluster_id is not None:
        payload["cluster_id"] = str(cluster_id)
    return envelope("referral.status_changed", payload, source="matching")


async def test_a_referral_naming_another_organisations_action_does_not_move_it(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    """Issue 12, item 2: the action named by a referral must be the referrer's own, for the same
    person (and in the pathway the referral names); otherwise the event is refused, not applied,
    and the stream goes on."""
    a, b, _ = orgs
    kwame = await person(pathways, a, shared_with=[(b, ["pathway", "profile"])])
    their_own = await person(pathways, b)
    a_pathway, a_action = await _pathway_with_action(pathways, a, kwame)
    b_pathway, b_action = await _pathway_with_action(pathways, b, their_own)
    forged = [
        # B refers its own person, naming A's action (with and without A's pathway)
        _referral_event(their_own, b, a_action),
        _referral_event(their_own, b, a_action, a_pathway),
        # B refers A's person (shared with it), naming A's action
        _referral_event(kwame, b, a_action, a_pathway),
        # A's own action, but for another person than the referral's
        _referral_event(their_own, a, a_action, a_pathway),
        # A's own action and person, but another pathway than the one the referral names
        _referral_event(kwame, a, a_action, b_pathway),
    ]
    # The referral made in a cluster: the event names it, and applies alike.
    made_in_cluster = _referral_event(their_own, b, b_action, b_pathway, cluster_id=uuid.uuid4())
    await deliver(pathways, *forged, made_in_cluster)
    actions = (
        await pathways.get(f"/api/v1/pathways/{a_pathway}/actions", headers=a.operator)
    ).json()["items"]
    assert [action["status"] for action in actions] == ["planned"]
    timeline = await sql(
        pathways_database,
        "SELECT pathway_id FROM pathway_timeline WHERE kind = 'referral'",
    )
    assert [str(row["pathway_id"]) for row in timeline] == [b_pathway]  # the stream went on
    applied = (
        await pathways.get(f"/api/v1/pathways/{b_pathway}/actions", headers=b.operator)
    ).json()["items"]
    assert applied[0]["status"] == "done"
    # The referrer's own action for its own person moves, also after the person was merged.
    survivor = await person(pathways, a)
    await deliver(
        pathways,
        envelope(
            "beneficiary.merged",
            {"merged_id": str(kwame), "survivor_id": str(survivor), "organization_id": str(a.id)},
        ),
        _referral_event(kwame, a, a_action, a_pathway, status="accepted"),
    )
    actions = (
        await pathways.get(f"/api/v1/pathways/{a_pathway}/actions", headers=a.operator)
    ).json()["items"]
    assert [action["status"] for action in actions] == ["in_progress"]


async def test_late_copies_of_documents_and_transfers_change_nothing(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    """Intake's document and transfer events applied out of order: a deletion stays final, a
    decision is not undone by a late copy of the request, and nothing comes back after an
    erasure. The tasks they make are read through the API."""
    a, b, _ = orgs
    someone = await person(pathways, a)
    await open_pathway(pathways, a, someone)
    document = {
        "document_id": str(uuid.uuid4()),
        "beneficiary_id": str(someone),
        "organization_id": str(a.id),
        "kind": "contract",
        "section": "pathway",
        "expires_on": "2000-01-31",  # long past: in the list of what is due, whatever today is
    }
    transfer = {
        "transfer_id": str(uuid.uuid4()),
        "beneficiary_id": str(someone),
        "from_organization_id": str(a.id),
        "to_organization_id": str(b.id),
        "status": "pending",
        "requested_at": "2000-01-02T10:00:00+00:00",
    }

    async def kinds(org: Org) -> list[str]:
        answer = await pathways.get("/api/v1/tasks", headers=org.admin)
        return sorted(item["kind"] for item in (await _ok(answer))["items"])

    stored = envelope("document.changed", document)
    asked = envelope("transfer.status_changed", transfer)
    await deliver(pathways, stored, asked)
    assert "document_expiring" in await kinds(a)
    assert await kinds(b) == ["transfer_to_accept"]

    deleted = envelope("document.changed", {**document, "deleted": True})
    decided = envelope(
        "transfer.status_changed",
        {**transfer, "status": "rejected", "decided_at": "2000-01-03T10:00:00+00:00"},
    )
    await deliver(pathways, deleted, decided)
    await deliver(pathways, envelope("document.changed", document))  # late copies
    await deliver(pathways, envelope("transfer.status_changed", transfer))
    assert "document_expiring" not in await kinds(a)
    assert await kinds(b) == []

    erased = envelope(
        "beneficiary.erased", {"beneficiary_id": str(someone), "organization_id": str(a.id)}
    )
    again = {**transfer, "transfer_id": str(uuid.uuid4())}
    await deliver(pathways, erased, envelope("transfer.status_changed", again))
    assert await kinds(b) == []
