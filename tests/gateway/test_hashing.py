"""Password hashing: OWASP's argon2id parameters, older hashes still verify and are replaced at
the next sign-in, and a bounded number of checks at once, with a bounded queue (503 beyond)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import anyio
import anyio.lowlevel
import httpx
import pytest
from argon2 import PasswordHasher

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from services.gateway.domain.passwords import hash_password, needs_rehash, verify_password
from services.gateway.service import password_hashing as hashing_module
from services.gateway.service.password_hashing import HashingBusy, PasswordHashing
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, gateway_settings
from tests.support import serve, sql, truncate

# argon2-cffi's defaults, which Ponte used before: 64 MiB, 3 iterations, 4 lanes.
LEGACY = PasswordHasher(memory_cost=65536, time_cost=3, parallelism=4)
STORED = "SELECT password_hash FROM user_account WHERE email = $1"
SIGN_IN = {"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}


def test_new_hashes_use_owasps_argon2id_parameters() -> None:
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapler")
    assert not needs_rehash(stored)


def test_older_hashes_still_verify_and_need_a_rehash() -> None:
    stored = LEGACY.hash("correct horse battery staple")
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "wrong horse battery staple")
    assert needs_rehash(stored)
    assert needs_rehash("not an argon2 hash")


def test_a_missing_account_is_checked_against_the_dummy_and_refused() -> None:
    assert not verify_password(None, "ponte-timing-equaliser")


@pytest.fixture
async def gateway_app(gateway_database: str) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    await truncate(gateway_database, metadata)
    app = create_app(gateway_settings(gateway_database, password_hash_max_waiting=0))
    async with serve(app) as client:
        yield client, app


async def test_an_older_hash_is_replaced_at_the_next_successful_sign_in(
    gateway_database: str, gateway_app: tuple[httpx.AsyncClient, object]
) -> None:
    client, _ = gateway_app
    await sql(
        gateway_database,
        "UPDATE user_account SET password_hash = $1 WHERE email = $2",
        LEGACY.hash(ADMIN_PASSWORD),
        ADMIN_EMAIL,
    )
    wrong = await client.post("/api/v1/auth/token", data={**SIGN_IN, "password": "not-it-1234"})
    assert wrong.status_code == 400
    [row] = await sql(
        gateway_database, "SELECT password_hash FROM user_account WHERE email = $1", ADMIN_EMAIL
    )
    assert row["password_hash"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # unchanged
    assert (await client.post("/api/v1/auth/token", data=SIGN_IN)).status_code == 200
    [row] = await sql(
        gateway_database, "SELECT password_hash FROM user_account WHERE email = $1", ADMIN_EMAIL
    )
    assert row["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(row["password_hash"], ADMIN_PASSWORD)
    assert (await client.post("/api/v1/auth/token", data=SIGN_IN)).status_code == 200


async def test_a_sign_in_past_the_hashing_queue_gets_503_with_retry_after(
    gateway_app: tuple[httpx.AsyncClient, object],
) -> None:
    client, app = gateway_app
    hashing: PasswordHashing = app.api.state.issuer.hashing  # type: ignore[attr-defined]
    holders = [object() for _ in range(hashing.concurrency)]
    for holder in holders:  # every slot taken, and no queue (max_waiting=0)
        await hashing._slots.acquire_on_behalf_of(holder)
    try:
        busy = await client.post("/api/v1/auth/token", data=SIGN_IN)
    finally:
        for holder in holders:
            hashing._slots.release_on_behalf_of(holder)
    assert busy.status_code == 503
    assert busy.headers["content-type"] == "application/problem+json"
    assert int(busy.headers["retry-after"]) >= 1
    assert busy.json()["status"] == 503
    assert "access_token" not in busy.json()
    assert (await client.post("/api/v1/auth/token", data=SIGN_IN)).status_code == 200


async def test_no_more_checks_run_at_once_than_the_pool_allows() -> None:
    hashing = PasswordHashing(concurrency=2, max_waiting=100, max_wait_seconds=60)
    lock = threading.Lock()
    running = most = 0

    def check(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        verify_password(hash_password("x"), "x")  # real work, so that the checks overlap
        with lock:
            running -= 1
        return n

    results: list[int] = []

    async def one(n: int) -> None:
        results.append(await hashing.run(check, n))

    async with anyio.create_task_group() as group:
        for n in range(8):
            group.start_soon(one, n)
    assert sorted(results) == list(range(8))
    assert most <= 2
    assert (hashing.running, hashing.waiting) == (0, 0)


async def test_callers_past_the_queue_are_refused_at_once_and_waiters_are_served() -> None:
    hashing = PasswordHashing(concurrency=1, max_waiting=1, max_wait_seconds=60)
    release = threading.Event()
    results: list[str] = []

    def first() -> str:
        release.wait(30)
        return "first"

    async def held() -> None:
        results.append(await hashing.run(first))

    async def queued() -> None:
        results.append(await hashing.run(lambda: "second"))

    async with anyio.create_task_group() as group:
        group.start_soon(held)
        while hashing.running < 1:
            await anyio.lowlevel.checkpoint()
        group.start_soon(queued)
        while hashing.waiting < 1:
            await anyio.lowlevel.checkpoint()
        with pytest.raises(HashingBusy) as refused:
            await hashing.run(lambda: "third")
        assert refused.value.status == 503
        assert int(refused.value.headers["Retry-After"]) >= 1
        release.set()
    assert results == ["first", "second"]


async def test_a_wait_that_runs_out_is_refused() -> None:
    hashing = PasswordHashing(concurrency=1, max_waiting=5, max_wait_seconds=0.05)
    release = threading.Event()
    async with anyio.create_task_group() as group:
        group.start_soon(hashing.run, lambda: release.wait(30))
        while hashing.running < 1:
            await anyio.lowlevel.checkpoint()
        with pytest.raises(HashingBusy):
            await hashing.run(lambda: "late")
        release.set()
    assert (hashing.running, hashing.waiting) == (0, 0)


@pytest.mark.parametrize(("cpus", "expected"), [(1, 1), (2, 1), (3, 2), (5, 4), (64, 4)])
def test_by_default_a_burst_of_sign_ins_leaves_a_core_to_the_event_loops(
    monkeypatch: pytest.MonkeyPatch, cpus: int, expected: int
) -> None:
    monkeypatch.setattr(hashing_module, "machine_workers", lambda: cpus)
    settings = gateway_settings("postgresql://unused/none")
    assert settings.password_hash_concurrency == 0
    assert PasswordHashing.from_settings(settings).concurrency == expected
    explicit = settings.model_copy(update={"password_hash_concurrency": 3})
    assert PasswordHashing.from_settings(explicit).concurrency == 3
