"""A stale ranking index is rebuilt by the first caller with its own connection. The callers that
wait for it each hold a connection; a build that needed one more found the pool empty and waited
with them until the pool's timeout (the CI run of 2026-12-06: every candidate list a 500 after
30 s on a pool of six). On a pool of two, two concurrent first calls are enough to show it."""

from __future__ import annotations

import asyncio

from services.matching.app import create_app
from shared.testing.tokens import TestIssuer
from tests.matching.conftest import empty_cases, matching_settings, offer, person
from tests.support import Org, serve


async def test_concurrent_first_calls_on_a_small_pool_all_answer(
    matching_database: str, issuer: TestIssuer
) -> None:
    await empty_cases(matching_database)
    settings = matching_settings(matching_database, database_pool_size=2, database_max_overflow=0)
    owner = Org(issuer)
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        someone = await person(client, owner)
        await offer(client, owner)
        path = f"/api/v1/beneficiaries/{someone}/matches"
        answers = await asyncio.gather(
            *(client.get(path, headers=owner.operator) for _ in range(4))
        )
    assert [answer.status_code for answer in answers] == [200] * 4, answers[0].text
