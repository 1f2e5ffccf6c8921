"""Referrals: consent and eligibility before a proposal, the provider's moves, seats never
oversold, and the provider seeing only the card."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx

from services.matching.app import create_app
from services.matching.db.models import metadata
from services.pathways.app import create_app as create_pathways
from services.pathways.settings import PathwaysSettings
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.matching.conftest import INTERNAL, deliver, matching_settings, offer, person
from tests.support import Org, deliver_events, envelope, migrated_database, serve, sql

CARD = {"given_name": "Amal", "family_name": "Haddad", "contact": {"phone": "+39 333 1"}}


async def referral_row(
    url: str,
    beneficiary_id: uuid.UUID,
    offer_row: dict[str, Any],
    referrer: Org,
    status: str = "accepted",
    note: str | None = None,
    cluster_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """A referral already moved on (its proposal needs intake for the card: see the end-to-end
    tests), with the card and, if given, the referrer's note and the cluster it was made in."""
    referral_id = uuid.uuid4()
    await sql(
        url,
        "INSERT INTO referral (id, beneficiary_id, offer_id, organization_id, "
        "provider_organization_id, status, note, person_card, history, version, created_by, "
        "cluster_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, '[]'::jsonb, 1, 'test', $9)",
        referral_id,
        beneficiary_id,
        uuid.UUID(offer_row["id"]),
        referrer.id,
        uuid.UUID(offer_row["organization_id"]),
        status,
        note,
        json.dumps(CARD),
        cluster_id,
    )
    return referral_id


async def test_a_proposal_needs_consent_to_matching(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    course = await offer(matching, provider)
    someone = await person(matching, ngo, consent=False)
    answer = await matching.post(
        "/api/v1/referrals",
        json={"beneficiary_id": str(someone), "offer_id": course["id"]},
        headers=ngo.operator,
    )
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("consent-required")
    assert (await matching.get("/api/v1/referrals", headers=ngo.operator)).json()["items"] == []


async def test_an_ineligible_person_is_refused_with_the_rule(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    course = await offer(
        matching, provider, min_language_code="it", min_language_level="B2", age_max=25
    )
    someone = await person(matching, ngo, birth_date="1980-01-01")
    answer = await matching.post(
        "/api/v1/referrals",
        json={"beneficiary_id": str(someone), "offer_id": course["id"]},
        headers=ngo.operator,
    )
    assert answer.status_code == 422
    reasons = answer.json()["excluded_by"]
    assert any("B2 Italian" in reason for reason in reasons), reasons
    assert any("above 25" in reason for reason in reasons), reasons


async def test_nobody_sees_people_they_may_not_and_a_failed_card_changes_nothing(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, stranger = orgs
    course = await offer(matching, provider)
    someone = await person(matching, ngo)
    await person(matching, stranger)  # owning people of its own opens nobody else's
    body = {"beneficiary_id": str(someone), "offer_id": course["id"]}
    hidden = await matching.post("/api/v1/referrals", json=body, headers=stranger.operator)
    assert hidden.status_code == 404
    # intake does not answer in these tests: the proposal cannot fetch the card
    down = await matching.post("/api/v1/referrals", json=body, headers=ngo.operator)
    assert down.status_code == 503
    assert (await matching.get("/api/v1/referrals", headers=ngo.operator)).json()["items"] == []


async def test_fifty_concurrent_enrolments_on_ten_seats_enrol_exactly_ten(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    course = await offer(matching, provider, seats=10)
    referrals = [
        await referral_row(matching_database, await person(matching, ngo), course, ngo)
        for _ in range(50)
    ]

    async def enrol(referral_id: uuid.UUID) -> int:
        answer = await matching.patch(
            f"/api/v1/referrals/{referral_id}",
            json={"status": "enrolled"},
            headers=provider.provider,
        )
        return answer.status_code

    statuses = await asyncio.gather(*(enrol(r) for r in referrals))
    assert statuses.count(200) == 10
    assert statuses.count(409) == 40
    rows = await sql(
        matching_database,
        "SELECT count(*) FILTER (WHERE status = 'enrolled') AS enrolled, "
        "(SELECT seats_taken FROM offer WHERE id = $1) AS taken FROM referral",
        uuid.UUID(course["id"]),
    )
    assert rows[0]["enrolled"] == 10
    assert rows[0]["taken"] == 10
    read = await matching.get(f"/api/v1/offers/{course['id']}", headers=provider.provider)
    assert read.json()["seats_left"] == 0


async def test_the_provider_moves_a_referral_on_with_reasons_and_the_pathway_hears(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    course = await offer(matching, provider, seats=1)
    someone = await person(matching, ngo)
    cluster_id = uuid.uuid4()  # the cluster it was made in: every event names it
    referral = await referral_row(
        matching_database, someone, course, ngo, status="proposed", cluster_id=cluster_id
    )
    path = f"/api/v1/referrals/{referral}"
    refused = await matching.patch(path, json={"status": "accepted"}, headers=ngo.operator)
    assert refused.status_code == 403
    no_reason = await matching.patch(path, json={"status": "rejected"}, headers=provider.provider)
    assert no_reason.status_code == 422
    skipped = await matching.patch(path, json={"status": "completed"}, headers=provider.provider)
    assert skipped.status_code == 409
    assert skipped.json()["allowed_statuses"] == ["accepted", "dropped", "rejected"]
    for status in ("accepted", "enrolled"):
        moved = await matching.patch(path, json={"status": status}, headers=provider.provider)
        assert moved.status_code == 200, moved.text
    seen = (await matching.get(f"/api/v1/offers/{course['id']}", headers=ngo.operator)).json()
    assert seen["seats_left"] == 0
    dropped = await matching.patch(
        path,
        json={"status": "dropped", "reason": "language too weak"},
        headers=ngo.operator,
    )
    assert dropped.status_code == 200
    assert dropped.json()["history"][-1]["reason"] == "language too weak"
    seen = (await matching.get(f"/api/v1/offers/{course['id']}", headers=ngo.operator)).json()
    assert seen["seats_left"] == 1  # the seat is free again
    events = await sql(
        matching_database,
        "SELECT payload::text AS payload FROM outbox_event WHERE type = 'referral.status_changed' "
        "ORDER BY seq",
    )
    sent = [json.loads(row["payload"]) for row in events]
    assert [event["status"] for event in sent] == ["accepted", "enrolled", "dropped"]
    assert {event["cluster_id"] for event in sent} == {str(cluster_id)}
    assert all("Amal" not in row["payload"] for row in events)  # ids and states only


NAME = "Amal Haddad"  # an operator, a provider or the person types the name into any text


async def test_the_provider_sees_the_card_and_erasure_removes_every_text(
    matching: httpx.AsyncClient,
    matching_database: str,
    orgs: tuple[Org, Org, Org],
    issuer: TestIssuer,
) -> None:
    """Issue 12, item 3: after the erasure the name, typed into every free text matching keeps
    (the card, the referrer's note, a rejection's and a drop's reason, the person's decline, the
    read model's free-text skills, stored idempotent answers), is in no row of any table; the
    referrals' ids, statuses, codes and dates stay."""
    ngo, provider, stranger = orgs
    courses = [await offer(matching, provider) for _ in range(3)]
    someone = await person(matching, ngo, skills=[{"label": f"cooking, taught by {NAME}"}])
    rejected, dropped, declined = [
        await referral_row(matching_database, someone, course, ngo, status=status)
        for course, status in zip(courses, ("proposed", "accepted", "proposed"), strict=True)
    ]
    await sql(matching_database, "UPDATE referral SET note = $1", f"{NAME} is a careful cook")
    path = f"/api/v1/referrals/{rejected}"
    seen = await matching.get(path, headers=provider.provider)
    assert seen.status_code == 200
    assert seen.json()["person"]["given_name"] == "Amal"
    assert (await matching.get(path, headers=stranger.operator)).status_code == 404
    assert (await matching.get(path, headers=stranger.provider)).status_code == 404
    for referral_id, who, reason in (
        (rejected, provider.provider, f"{NAME} speaks too little Italian"),
        (dropped, ngo.operator, f"{NAME} moved to Milan"),
    ):
        moved = await matching.patch(
            f"/api/v1/referrals/{referral_id}",
            json={"status": "rejected" if referral_id == rejected else "dropped", "reason": reason},
            headers=who,
        )
        assert moved.status_code == 200, moved.text
    me = issuer.headers(roles=("beneficiary",), organization_id=ngo.id, beneficiary_id=someone)
    answered = await matching.post(
        f"/api/v1/me/referrals/{declined}/decline",
        json={"reason": f"{NAME} found a job"},
        headers={**me, "Idempotency-Key": "decline-1"},
    )
    assert answered.status_code == 200, answered.text
    assert NAME in await _every_row(matching_database)

    await deliver(
        matching,
        envelope(
            "beneficiary.erased",
            {"beneficiary_id": str(someone), "organization_id": str(ngo.id)},
        ),
    )
    after = await _every_row(matching_database)
    for personal in ("Amal", "Haddad", "+39 333 1"):
        assert personal not in after, personal
    assert await sql(matching_database, "SELECT key FROM idempotency_record") == []
    read = (await matching.get(path, headers=provider.provider)).json()
    assert (read["status"], read["reason"], read["person"], read["note"]) == (
        "rejected",
        "[erased]",
        None,
        None,
    )
    assert [line["status"] for line in read["history"]] == ["rejected"]
    kept = await sql(
        matching_database,
        "SELECT status, reason_code FROM referral ORDER BY status, reason_code NULLS FIRST",
    )
    assert [tuple(row.values()) for row in kept] == [
        ("dropped", None),
        ("dropped", "person_declined"),
        ("rejected", None),
    ]


async def _every_row(url: str) -> str:
    """Every row of every table of matching but the reference data's, as text."""
    rows = []
    for table in metadata.sorted_tables:
        if not table.name.startswith(("esco_", "territory")):
            rows += await sql(url, f'SELECT x::text AS t FROM "{table.name}" x')  # noqa: S608
    return " ".join(row["t"] for row in rows)


async def test_the_lists_are_oldest_first_and_page_through_every_referral_once(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    course = await offer(matching, provider)
    made = [
        await referral_row(matching_database, await person(matching, ngo), course, ngo)
        for _ in range(5)
    ]
    # Creation times in an order the random ids do not share: newest id-wise first, say.
    by_id = sorted(made)
    for minutes, referral_id in enumerate(reversed(by_id)):
        await sql(
            matching_database,
            "UPDATE referral SET created_at = now() - make_interval(mins => $1) WHERE id = $2",
            60 - minutes,
            referral_id,
        )
    oldest_first = [str(referral_id) for referral_id in reversed(by_id)]
    for caller in (ngo.operator, provider.provider):
        seen: list[str] = []
        cursor: str | None = None
        while True:
            params = {
                "limit": 2,
                "offer_id": course["id"],
                **({"cursor": cursor} if cursor else {}),
            }
            page = (await matching.get("/api/v1/referrals", params=params, headers=caller)).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == oldest_first


def pathway_opened(pathway_id: uuid.UUID, beneficiary_id: uuid.UUID, org: Org) -> dict[str, Any]:
    return envelope(
        "pathway.opened",
        {
            "pathway_id": str(pathway_id),
            "beneficiary_id": str(beneficiary_id),
            "organization_id": str(org.id),
        },
        source="pathways",
    )


async def test_a_proposal_names_only_a_pathway_the_referrer_runs_for_that_person(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    """Issue 12, item 2: a forged pathway (another organisation's, another person's, unknown)
    is refused with a field error and nothing is stored."""
    ngo, provider, stranger = orgs
    course = await offer(matching, provider)
    someone = await person(matching, ngo, shared_with=(stranger,))
    strangers_own = await person(matching, stranger)
    mine, theirs, other_person = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await deliver(
        matching,
        pathway_opened(mine, someone, ngo),
        pathway_opened(theirs, someone, stranger),
        pathway_opened(other_person, strangers_own, stranger),
    )
    base = {"beneficiary_id": str(someone), "offer_id": course["id"]}
    for caller, pathway_id in (
        (ngo, theirs),  # another organisation's pathway for the same person
        (stranger, mine),  # the same, the other way round
        (stranger, other_person),  # the caller's own pathway, for another person
    ):
        answer = await matching.post(
            "/api/v1/referrals",
            json={**base, "pathway_id": str(pathway_id), "action_id": str(uuid.uuid4())},
            headers=caller.operator,
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["code"] == "not_your_pathway"
    # A pathway matching never heard of is asked of pathways, which does not answer here.
    unknown = await matching.post(
        "/api/v1/referrals",
        json={**base, "pathway_id": str(uuid.uuid4())},
        headers=ngo.operator,
    )
    assert unknown.status_code == 503
    no_pathway = await matching.post(
        "/api/v1/referrals", json={**base, "action_id": str(uuid.uuid4())}, headers=ngo.operator
    )
    assert no_pathway.status_code == 422
    assert no_pathway.json()["errors"][0]["field"] == "body.pathway_id"
    assert await sql(matching_database, "SELECT id FROM referral") == []
    # The referrer's own pathway passes (and then needs intake for the card: down in these tests)
    own = await matching.post(
        "/api/v1/referrals", json={**base, "pathway_id": str(mine)}, headers=ngo.operator
    )
    assert own.status_code == 503
    # After a merge, the survivor's proposal may name the merged record's pathway.
    survivor = await person(matching, ngo)
    await deliver(
        matching,
        envelope(
            "beneficiary.merged",
            {
                "merged_id": str(someone),
                "survivor_id": str(survivor),
                "organization_id": str(ngo.id),
            },
        ),
    )
    merged = await matching.post(
        "/api/v1/referrals",
        json={**base, "beneficiary_id": str(survivor), "pathway_id": str(mine)},
        headers=ngo.operator,
    )
    assert merged.status_code == 503, merged.text


async def test_a_pathway_not_yet_heard_of_is_asked_of_pathways_once(
    matching_database: str,
    database_factory: DatabaseFactory,
    issuer: TestIssuer,
    orgs: tuple[Org, Org, Org],
) -> None:
    """A pathway opened a moment ago (its event still on the way) or before matching kept its
    read model: matching asks the real pathways service and keeps the answer."""
    ngo, provider, stranger = orgs
    pathways_settings = PathwaysSettings(
        database_url=await migrated_database(database_factory, "pathways"),
        migrate_on_start=False,
        internal_token=INTERNAL,
    )
    matching_app = create_app(
        matching_settings(matching_database, pathways_url="http://pathways"),
        verifier=issuer.verifier_factory(),
    )
    pathways_app = create_pathways(pathways_settings, verifier=issuer.verifier_factory())
    async with serve(pathways_app) as pathways, serve(matching_app) as matching:
        matching_app.state.http = pathways  # the real pathways app (intake still absent)
        someone = await person(matching, ngo, shared_with=(stranger,))
        await deliver_events(
            pathways,
            INTERNAL,
            envelope(
                "beneficiary.registered",
                {"beneficiary_id": str(someone), "organization_id": str(ngo.id), "profile": {}},
            ),
            envelope(
                "beneficiary.access_changed",
                {
                    "beneficiary_id": str(someone),
                    "owner_organization_id": str(ngo.id),
                    "grants": [{"organization_id": str(stranger.id), "sections": ["pathway"]}],
                    "matching_consent": True,
                    "version": 1,
                },
            ),
        )
        opened = await pathways.post(
            "/api/v1/pathways", json={"beneficiary_id": str(someone)}, headers=ngo.operator
        )
        assert opened.status_code == 201, opened.text
        pathway_id = opened.json()["id"]
        course = await offer(matching, provider)
        body = {"beneficiary_id": str(someone), "offer_id": course["id"], "pathway_id": pathway_id}
        # Another organisation naming it: refused; the referrer: passes (then intake is absent).
        theirs = await matching.post("/api/v1/referrals", json=body, headers=stranger.operator)
        assert theirs.status_code == 422, theirs.text
        own = await matching.post("/api/v1/referrals", json=body, headers=ngo.operator)
        assert own.status_code == 503, own.text
        assert "contact details" in own.json()["detail"]  # the card, after the pathway check
        unknown = await matching.post(
            "/api/v1/referrals",
            json={**body, "pathway_id": str(uuid.uuid4())},
            headers=ngo.operator,
        )
        assert unknown.status_code == 422
