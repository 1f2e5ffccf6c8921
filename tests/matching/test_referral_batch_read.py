"""A batch read of referrals by id (`GET /referrals?id=...&id=...`), as a thin webhook's receiver
does: the caller's own, in one call; another organisation's, absent; more than 200, a 422."""

from __future__ import annotations

import uuid

import httpx

from tests.matching.conftest import offer, person
from tests.matching.test_referrals import referral_row
from tests.support import Org


async def test_a_batch_read_gives_the_referrals_the_caller_may_read(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, other = orgs
    course = await offer(matching, provider, seats=20)
    mine = [
        await referral_row(matching_database, await person(matching, ngo), course, ngo)
        for _ in range(3)
    ]
    theirs = await referral_row(matching_database, await person(matching, other), course, other)
    asked = [*mine[:2], theirs, uuid.uuid4()]
    params = httpx.QueryParams({"id": [str(value) for value in asked], "limit": 200})
    answer = await matching.get("/api/v1/referrals", params=params, headers=ngo.operator)
    assert answer.status_code == 200, answer.text
    assert sorted(item["id"] for item in answer.json()["items"]) == sorted(map(str, mine[:2]))
    # The provider reads the same ids as the provider: every one of its offer's referrals asked.
    served = await matching.get("/api/v1/referrals", params=params, headers=provider.provider)
    assert {item["id"] for item in served.json()["items"]} == {*map(str, mine[:2]), str(theirs)}
    too_many = httpx.QueryParams({"id": [str(uuid.uuid4()) for _ in range(201)]})
    refused = await matching.get("/api/v1/referrals", params=too_many, headers=ngo.operator)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "query.id"
