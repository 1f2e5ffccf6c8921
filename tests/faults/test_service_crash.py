"""A service killed (SIGKILL) in the middle of a stream of writes: while it is down its routes
answer 503 problem+json and the rest of the API keeps working; after a restart every write that
was acknowledged is there, once, and an unacknowledged one retried with its Idempotency-Key
yields exactly one record."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually, organisation
from tests.faults.conftest import person, unique_label
from tests.support import sql

pytestmark = pytest.mark.e2e

WRITERS = 4  # half with an Idempotency-Key, half without


@dataclass(frozen=True)
class Attempt:
    label: str  # the family name: one per attempted registration
    key: str | None
    status: int  # 0: no HTTP answer at all
    id: str | None
    content_type: str
    at: float


class Writers:
    """Threads registering people through the gateway as fast as they are answered."""

    def __init__(self, stack: Stack, headers: dict[str, str]) -> None:
        self.stack = stack
        self.headers = headers
        self.attempts: list[Attempt] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._write, args=(number % 2 == 0,), daemon=True)
            for number in range(WRITERS)
        ]

    def __enter__(self) -> Writers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def _write(self, keyed: bool) -> None:
        with self.stack.client(timeout=15.0) as client:
            while not self._stop.is_set():
                label = unique_label("Crash")
                key = str(uuid.uuid4()) if keyed else None
                headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
                try:
                    answer = client.post(
                        "/api/v1/beneficiaries", json=person(label), headers=headers
                    )
                    status, content_type = (
                        answer.status_code,
                        answer.headers.get("content-type", ""),
                    )
                    created = answer.json().get("id") if answer.is_success else None
                except httpx.HTTPError:
                    status, content_type, created = 0, "", None
                attempt = Attempt(label, key, status, created, content_type, time.monotonic())
                with self._lock:
                    self.attempts.append(attempt)
                if not answer_was_ok(status):
                    time.sleep(0.25)  # a client backing off a little, not a busy loop

    def snapshot(self) -> list[Attempt]:
        with self._lock:
            return list(self.attempts)

    def acknowledged(self, since: float = 0.0) -> int:
        return sum(1 for a in self.snapshot() if answer_was_ok(a.status) and a.at >= since)

    def refused(self, since: float) -> list[Attempt]:
        return [a for a in self.snapshot() if not answer_was_ok(a.status) and a.at >= since]


def answer_was_ok(status: int) -> bool:
    return 200 <= status < 300


def problem(answer: httpx.Response) -> dict[str, Any]:
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_killed_service_loses_no_acknowledged_write_and_duplicates_none(
    stack: Stack,
) -> None:
    intake = stack.processes["intake"]
    with stack.client() as client:
        org = organisation(client, "Crash NGO")
        with Writers(stack, org.operator) as writers:
            eventually(lambda: writers.acknowledged() >= 20, timeout=20)
            killed_at = time.monotonic()
            intake.kill()

            # Down: its routes answer 503 problem+json, the gateway and the others answer.
            eventually(lambda: len(writers.refused(killed_at)) >= WRITERS, timeout=10)
            for method, path in (
                ("POST", "/api/v1/beneficiaries"),
                ("GET", "/api/v1/beneficiaries"),
            ):
                answer = client.request(
                    method,
                    path,
                    json=person("Down") if method == "POST" else None,
                    headers=org.operator,
                )
                assert answer.status_code == 503, answer.text
                body = problem(answer)
                assert body["status"] == 503
                assert body["service"] == "intake"
            for path in ("/api/v1/auth/me", "/api/v1/offers", "/api/v1/pathways"):
                answer = client.get(path, headers=org.operator)
                assert answer.status_code == 200, (path, answer.text)
            refused_while_down = writers.refused(killed_at)
            assert {a.status for a in refused_while_down} == {503}, Counter(
                a.status for a in refused_while_down
            )
            assert all(a.content_type == "application/problem+json" for a in refused_while_down)

            restarting = time.monotonic()
            intake.restart()
            back_at = time.monotonic()
            eventually(lambda: writers.acknowledged(since=back_at) >= 10, timeout=20)
        attempts = writers.snapshot()

        # The unacknowledged writes that carried a key, retried with it after the restart.
        retried = {}
        for attempt in attempts:
            if attempt.key is not None and not answer_was_ok(attempt.status):
                answer = client.post(
                    "/api/v1/beneficiaries",
                    json=person(attempt.label),
                    headers={**org.operator, "Idempotency-Key": attempt.key},
                )
                assert answer.status_code == 201, answer.text
                retried[attempt.label] = answer.json()["id"]

        acknowledged = {a.label: a.id for a in attempts if answer_was_ok(a.status)}
        for label, created in acknowledged.items():
            answer = client.get(f"/api/v1/beneficiaries/{created}", headers=org.operator)
            assert answer.status_code == 200, answer.text
            assert answer.json()["family_name"] == label

        listed: list[str] = []
        cursor: str | None = None
        while True:
            page = client.get(
                "/api/v1/beneficiaries",
                params={"limit": 200, **({"cursor": cursor} if cursor else {})},
                headers=org.operator,
            ).json()
            listed += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break

    rows = await sql(
        stack.databases["intake"],
        "SELECT id, family_name FROM beneficiary WHERE organization_id = $1",
        uuid.UUID(org.id),
    )
    per_label = Counter(row["family_name"] for row in rows)
    stored = {str(row["id"]) for row in rows}
    unkeyed_lost = [a for a in attempts if a.key is None and not answer_was_ok(a.status)]
    assert all(per_label[label] == 1 for label in acknowledged), "an acknowledged write is missing"
    assert all(per_label[label] == 1 for label in retried), "a keyed retry did not yield one record"
    assert max(per_label.values()) == 1, "a write was stored twice"
    assert set(acknowledged.values()) | set(retried.values()) <= stored
    assert sorted(listed) == sorted(stored), "the API lists what is stored, each once"
    committed_unacknowledged = sum(per_label[a.label] for a in unkeyed_lost)
    print(
        f"\ncrash: {len(attempts)} attempts by {WRITERS} writers, {len(acknowledged)} acknowledged "
        f"(all readable, none twice), {len(refused_while_down)} answered 503 while intake was "
        f"down, {len(retried)} keyed ones retried -> one record each, {len(unkeyed_lost)} unkeyed "
        f"unacknowledged ({committed_unacknowledged} of them committed before the kill); "
        f"{len(stored)} rows; intake down {restarting - killed_at:.1f} s, restart to ready "
        f"{back_at - restarting:.1f} s"
    )
