"""An allocation's bounds and its end: too many people, offers or eligible pairs is a 422 that
keeps nothing; a solve past its time limit a 503 that keeps nothing; a solve whose client has
gone, or whose request is cancelled, stops and is awaited (no computation outlives it)."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest

from services.matching.app import create_app
from services.matching.domain.transport import Budget, Stopped
from services.matching.service.allocations import until_done
from shared.testing.tokens import TestIssuer
from tests.matching.conftest import empty_cases, matching_settings, offer, person
from tests.support import Org, serve, sql


@pytest.fixture
async def bounded(matching_database: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """Matching allowing 2 people, 2 offers and 3 eligible pairs."""
    await empty_cases(matching_database)
    settings = matching_settings(
        matching_database,
        allocation_max_people=2,
        allocation_max_offers=2,
        allocation_max_pairs=3,
    )
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        yield client


@pytest.fixture
async def hurried(matching_database: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """Matching whose allocations have a microsecond: spent before the solve begins."""
    await empty_cases(matching_database)
    settings = matching_settings(matching_database, allocation_time_limit_seconds=1e-6)
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        yield client


async def kept(database: str) -> int:
    rows = await sql(database, "SELECT count(*) AS n FROM idempotency_record")
    return int(rows[0]["n"])


async def test_too_many_people_offers_or_pairs_is_a_422_that_keeps_nothing(
    bounded: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, provider, _ = orgs
    courses = [await offer(bounded, provider, seats=1) for _ in range(2)]
    people = [await person(bounded, ngo) for _ in range(2)]
    headers = {**ngo.operator, "Idempotency-Key": "too-large"}
    crowd = {
        "beneficiary_ids": [str(p) for p in people] + [str(uuid.uuid4())],
        "offer_ids": [c["id"] for c in courses] + [str(uuid.uuid4())],
    }
    answer = await bounded.post("/api/v1/allocations", json=crowd, headers=headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"].endswith("/problems/allocation-too-large")
    assert {e["field"] for e in problem["errors"]} == {"body.beneficiary_ids", "body.offer_ids"}
    # 2 people x 2 offers, every pair eligible: 4 pairs, over the 3 allowed
    pairs = {"beneficiary_ids": [str(p) for p in people], "offer_ids": [c["id"] for c in courses]}
    answer = await bounded.post("/api/v1/allocations", json=pairs, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].endswith("/problems/allocation-too-large")
    assert answer.json()["pairs"] == 4
    assert await kept(matching_database) == 0
    within = {**pairs, "offer_ids": [courses[0]["id"]]}  # 2 pairs: solved
    answer = await bounded.post("/api/v1/allocations", json=within, headers=ngo.operator)
    assert answer.status_code == 200, answer.text
    assert answer.json()["assigned"] == 1


async def test_a_solve_past_its_time_limit_is_a_503_that_keeps_nothing(
    hurried: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, provider, _ = orgs
    course = await offer(hurried, provider, seats=1)
    someone = await person(hurried, ngo)
    body = {"beneficiary_ids": [str(someone)], "offer_ids": [course["id"]]}
    headers = {**ngo.operator, "Idempotency-Key": "late"}
    answer = await hurried.post("/api/v1/allocations", json=body, headers=headers)
    assert answer.status_code == 503, answer.text
    assert answer.json()["type"].endswith("/problems/allocation-timed-out")
    assert "nothing was kept" in answer.json()["detail"]
    assert await kept(matching_database) == 0


class Client:
    """A request whose client disconnects at the ``after``-th poll."""

    def __init__(self, after: int | None) -> None:
        self.after, self.polls = after, 0

    async def is_disconnected(self) -> bool:
        self.polls += 1
        return self.after is not None and self.polls >= self.after


def working(budget: Budget, ended: threading.Event) -> Any:
    """Work that runs until its budget says stop (as the solver's steps do)."""

    def work() -> None:
        try:
            while True:
                budget.check()
                threading.Event().wait(0.001)
        finally:
            ended.set()

    return work


async def test_a_disconnected_client_stops_the_work() -> None:
    budget, ended = Budget(None), threading.Event()
    with pytest.raises(Stopped, match="cancelled"):
        await until_done(Client(after=2), budget, working(budget, ended), anyio.CapacityLimiter(1))
    assert ended.is_set()  # awaited: the thread has finished


async def test_a_cancelled_request_stops_the_work_before_it_ends() -> None:
    budget, ended = Budget(None), threading.Event()
    async with anyio.create_task_group() as group:

        async def request() -> None:
            # cancelled: whether Stopped or the cancellation comes out first, the work has ended
            with contextlib.suppress(Stopped):
                await until_done(
                    Client(after=None), budget, working(budget, ended), anyio.CapacityLimiter(1)
                )

        group.start_soon(request)
        await anyio.sleep(0.05)
        group.cancel_scope.cancel()
    assert budget.cancelled
    assert ended.is_set()


async def test_a_finished_solve_returns_its_answer() -> None:
    answer = await until_done(Client(after=None), Budget(60), lambda: 42, anyio.CapacityLimiter(1))
    assert answer == 42
