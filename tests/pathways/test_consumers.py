"""Intake's events in pathways: erasure pseudonymises, merge repoints, stale events do nothing."""

from __future__ import annotations

import uuid

import httpx

from tests.pathways.conftest import ALL_YES, deliver, open_pathway, person, step
from tests.support import Org, envelope, sql


async def test_erasure_removes_what_was_written_and_keeps_the_counts(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    a, _, _ = orgs
    someone = await person(pathways, a, permit_expires_on="2027-02-01")
    pathway = await open_pathway(pathways, a, someone)
    for kind in ("assess", "respond", "monitor", "adjust"):
        await step(pathways, a, pathway["id"], kind, None)
    await step(
        pathways,
        a,
        pathway["id"],
        "verify_rights",
        {
            "answers": {**ALL_YES, "withholding_of_wages": "no"},
            "evidence": {"withholding_of_wages": "Unpaid since May by Mr Rossi"},
        },
    )
    await deliver(
        pathways,
        envelope(
            "beneficiary.erased", {"beneficiary_id": str(someone), "organization_id": str(a.id)}
        ),
    )
    rows = []
    for table in (
        "pathway",
        "pathway_step",
        "pathway_action",
        "rights_violation",
        "pathway_timeline",
        "person",
    ):
        rows += await sql(pathways_database, f"SELECT x::text AS t FROM {table} x")  # noqa: S608 - fixed names
    text = " ".join(row["t"] for row in rows)
    for personal in ("Mr Rossi", "Permit renewal filed", "CPI Latina", "2027-02-01"):
        assert personal not in text, personal
    counts = await sql(pathways_database, "SELECT count(*) AS n FROM pathway_step")
    assert counts[0]["n"] == 5
    assert (
        await pathways.get(f"/api/v1/pathways/{pathway['id']}", headers=a.operator)
    ).status_code == 404


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
    return pathway["id"], actions.json()[0]["id"]


def _referral_event(
    beneficiary_id: uuid.UUID,
    referrer: Org,
    action_id: str,
    pathway_id: str | None = None,
    status: str = "completed",
) -> dict[str, object]:
    return envelope(
        "referral.status_changed",
        {
            "referral_id": str(uuid.uuid4()),
            "beneficiary_id": str(beneficiary_id),
            "offer_id": str(uuid.uuid4()),
            "organization_id": str(referrer.id),
            "provider_organization_id": str(uuid.uuid4()),
            "pathway_id": pathway_id,
            "action_id": action_id,
            "status": status,
        },
        source="matching",
    )


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
    await deliver(pathways, *forged, _referral_event(their_own, b, b_action, b_pathway))
    actions = (
        await pathways.get(f"/api/v1/pathways/{a_pathway}/actions", headers=a.operator)
    ).json()
    assert [action["status"] for action in actions] == ["planned"]
    timeline = await sql(
        pathways_database,
        "SELECT pathway_id FROM pathway_timeline WHERE kind = 'referral'",
    )
    assert [str(row["pathway_id"]) for row in timeline] == [b_pathway]  # the stream went on
    applied = (
        await pathways.get(f"/api/v1/pathways/{b_pathway}/actions", headers=b.operator)
    ).json()
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
    ).json()
    assert [action["status"] for action in actions] == ["in_progress"]
