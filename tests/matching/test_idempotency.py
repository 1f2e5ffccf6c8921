"""Idempotency-Key on matching's POSTs: offers, allocations (a read-only computation, kept all
the same), and a referral whose first attempt fails."""

from __future__ import annotations

import httpx

from shared.contracts import intake as contract
from tests.matching.conftest import deliver, offer, person
from tests.support import Org, envelope, sql


async def test_a_replayed_offer_is_published_once(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    provider = orgs[1]
    body = {"type": "internship", "title": "Site internship", "seats": 3, "status": "open"}
    headers = {**provider.provider, "Idempotency-Key": "offer-2026-03"}
    first = await matching.post("/api/v1/offers", json=body, headers=headers)
    again = await matching.post("/api/v1/offers", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    changed = await matching.post("/api/v1/offers", json={**body, "seats": 4}, headers=headers)
    assert changed.status_code == 422
    rows = await sql(matching_database, "SELECT count(*) AS n FROM offer")
    assert rows[0]["n"] == 1


async def test_an_allocation_is_answered_again_as_first_computed(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    course = await offer(matching, provider, seats=1)
    someone = await person(matching, ngo)
    body = {"beneficiary_ids": [str(someone)], "offer_ids": [course["id"]]}
    headers = {**ngo.operator, "Idempotency-Key": "cohort-7"}
    first = await matching.post("/api/v1/allocations", json=body, headers=headers)
    assert first.status_code == 200, first.text
    await matching.delete(  # the world changes; the replay still tells the first answer
        f"/api/v1/offers/{course['id']}", headers={**provider.provider, "If-Match": '"1"'}
    )
    again = await matching.post("/api/v1/allocations", json=body, headers=headers)
    assert again.status_code == 200
    assert again.content == first.content


async def test_a_failed_referral_is_not_kept_and_its_retry_runs(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, provider, _ = orgs
    course = await offer(matching, provider)
    someone = await person(matching, ngo)
    body = {"beneficiary_id": str(someone), "offer_id": course["id"]}
    headers = {**ngo.operator, "Idempotency-Key": "refer-1"}
    for _ in range(2):  # intake is down here: each attempt runs and fails with 503
        answer = await matching.post("/api/v1/referrals", json=body, headers=headers)
        assert answer.status_code == 503
        assert "idempotent-replayed" not in answer.headers
    rows = await sql(matching_database, "SELECT count(*) AS n FROM idempotency_record")
    assert rows[0]["n"] == 0
    referrals = await sql(matching_database, "SELECT count(*) AS n FROM referral")
    assert referrals[0]["n"] == 0


async def test_erasure_forgets_the_stored_answers_naming_the_person(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, provider, _ = orgs
    published = await matching.post(
        "/api/v1/offers",
        json={"type": "internship", "title": "Site internship", "seats": 3, "status": "open"},
        headers={**provider.provider, "Idempotency-Key": "offer"},
    )
    course = published.json()
    someone = await person(matching, ngo)
    answer = await matching.post(
        "/api/v1/allocations",
        json={"beneficiary_ids": [str(someone)], "offer_ids": [course["id"]]},
        headers={**ngo.operator, "Idempotency-Key": "cohort-8"},
    )
    assert answer.status_code == 200
    await deliver(
        matching,
        envelope(contract.ERASED, {"beneficiary_id": str(someone), "organization_id": str(ngo.id)}),
    )
    kept = await sql(matching_database, "SELECT key FROM idempotency_record ORDER BY key")
    assert [row["key"] for row in kept] == ["offer"]  # the offer's answer names nobody
