"""PostgreSQL restarted under load (a private cluster: the machine's server is shared with other
tests): every service notices (readyz 503), and recovers by itself once the database is back:
readyz 200 and writes succeed again, without restarting a process; a client that retries with
its Idempotency-Key loses nothing and duplicates nothing, and the outbox relays deliver what was
written around the outage."""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections import Counter

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually, eventually_async, organisation
from tests.faults.conftest import PrivateCluster, person, unique_label
from tests.support import sql

pytestmark = pytest.mark.e2e

RECOVERY_BOUND = 30.0  # seconds: a correctness bound ("by itself, soon"), not a speed goal


class RetryingWriter(threading.Thread):
    """A well-behaved client: registers people one after another, retrying each with its
    Idempotency-Key until it is acknowledged."""

    def __init__(self, stack: Stack, headers: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.stack, self.headers = stack, headers
        self.acknowledged: dict[str, str] = {}  # label -> id
        self.failures: Counter[int] = Counter()  # status (0: no answer) -> count
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.stack.client(timeout=15.0) as client:
            while not self.stopping.is_set():
                label, key = unique_label("Restart"), str(uuid.uuid4())
                while True:  # until acknowledged, even if asked to stop meanwhile
                    try:
                        answer = client.post(
                            "/api/v1/beneficiaries",
                            json=person(label),
                            headers={**self.headers, "Idempotency-Key": key},
                        )
                        status = answer.status_code
                    except httpx.HTTPError:
                        status = 0
                    if status == 201:
                        self.acknowledged[label] = answer.json()["id"]
                        break
                    self.failures[status] += 1
                    time.sleep(0.1)

    def stop(self) -> None:
        self.stopping.set()
        self.join(60)


def readiness(stack: Stack) -> dict[str, int]:
    statuses = {}
    for name, service in stack.processes.items():
        try:
            statuses[name] = httpx.get(f"{service.url}/readyz", timeout=5.0).status_code
        except httpx.HTTPError:
            statuses[name] = 0
    return statuses


def recovered_since(stack: Stack, writer: RetryingWriter, acknowledged: int) -> bool:
    """Every service ready again, and a write acknowledged since the database went away."""
    return set(readiness(stack).values()) == {200} and len(writer.acknowledged) > acknowledged


async def test_the_services_recover_from_a_postgres_restart_by_themselves(
    stack: Stack, private_cluster: PrivateCluster
) -> None:
    pids = {
        name: service.process.pid for name, service in stack.processes.items() if service.process
    }
    with stack.client() as client:
        org = organisation(client, "Restart NGO")
    writer = RetryingWriter(stack, org.operator)
    writer.start()
    figures: list[str] = []
    try:
        eventually(lambda: len(writer.acknowledged) >= 5, timeout=20)
        for mode in ("fast", "immediate"):
            before = len(writer.acknowledged)
            private_cluster.stop(mode)
            stopped_at = time.monotonic()
            # Every service tells that it cannot work: readyz 503 while the database is away.
            eventually(lambda: set(readiness(stack).values()) == {503}, timeout=15)
            noticed = time.monotonic() - stopped_at
            # ... and so do its routes: 503 problem+json, try again shortly (not a 500).
            with stack.client() as client:
                answer = client.post(
                    "/api/v1/beneficiaries", json=person(unique_label("Away")), headers=org.operator
                )
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert "retry-after" in answer.headers
            private_cluster.start()
            started_at = time.monotonic()
            eventually(functools.partial(recovered_since, stack, writer, before), RECOVERY_BOUND)
            recovered = time.monotonic() - started_at
            figures.append(
                f"stop -m {mode}: readyz 503 everywhere after {noticed:.1f} s; "
                f"readyz 200 and writes acknowledged {recovered:.1f} s after PostgreSQL was back"
            )
        eventually(lambda: len(writer.acknowledged) >= before + 5, timeout=20)
    finally:
        writer.stop()
        if not private_cluster.running():
            private_cluster.start()  # so that the stack can shut down cleanly
    assert not writer.is_alive()
    assert set(writer.failures) <= {503}, writer.failures  # the database away is not a bug (500)

    # Nothing was restarted: the same processes recovered by themselves.
    assert {name: s.process.pid for name, s in stack.processes.items() if s.process} == pids
    assert all(s.process is not None and s.process.poll() is None for s in stack.processes.values())

    acknowledged = writer.acknowledged
    rows = await sql(
        stack.databases["intake"],
        "SELECT family_name, count(*) AS n FROM beneficiary WHERE organization_id = $1 "
        "GROUP BY family_name",
        uuid.UUID(org.id),
    )
    stored = {row["family_name"]: row["n"] for row in rows}
    assert stored == dict.fromkeys(acknowledged, 1), "lost or duplicated across the restarts"
    with stack.client() as client:
        for label, created in acknowledged.items():
            answer = client.get(f"/api/v1/beneficiaries/{created}", headers=org.operator)
            assert answer.status_code == 200, answer.text
            assert answer.json()["family_name"] == label

    # The relays lived through the outages: matching hears of everyone registered around them.
    people = [uuid.UUID(created) for created in acknowledged.values()]

    async def all_delivered() -> bool:
        rows = await sql(
            stack.databases["matching"],
            "SELECT count(*) AS n FROM candidate_profile WHERE beneficiary_id = ANY($1)",
            people,
        )
        return int(rows[0]["n"]) == len(people)

    await eventually_async(all_delivered, within=RECOVERY_BOUND)
    print(
        "\npostgres restart: "
        + "; ".join(figures)
        + f"; {len(acknowledged)} registrations acknowledged, each stored once and delivered to "
        f"matching; failed attempts (retried with their key) by status: {dict(writer.failures)}"
    )
