"""A service that stops answering (SIGSTOP: connections are still accepted by the kernel, nothing
comes back): the gateway answers 504 problem+json within its upstream timeout, keeps serving the
other routes, gives up the connections it opened, and forwards again once the service is back."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually, organisation
from tests.faults.conftest import person, unique_label
from tests.support import sql
from tools.processes import ServiceProcess, free_port

pytestmark = pytest.mark.e2e

TIMEOUT = 1.5  # the gateway's upstream timeout in this test
MARGIN = 3.0  # scheduling on a loaded two-core machine; a correctness bound, not a speed goal
STALLED = 8  # concurrent requests to the stalled service


@pytest.fixture
def impatient_gateway(stack: Stack, tmp_path: Path) -> Iterator[ServiceProcess]:
    """A second gateway on the same database (same keys, same accounts) with a short upstream
    timeout, so that the shared stack keeps its patient one."""
    base = stack.processes["gateway"]
    gateway = ServiceProcess(
        "gateway",
        free_port(),
        {**base.env, "PONTE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS": str(TIMEOUT)},
        log_path=tmp_path / "impatient-gateway.log",
    )
    try:
        gateway.start()
        gateway.wait_ready()
        yield gateway
    finally:
        gateway.stop()


def connections(gateway: ServiceProcess, port: int) -> int:
    """The gateway's ESTABLISHED TCP connections to ``port``."""
    assert gateway.process is not None
    return sum(
        1
        for connection in psutil.Process(gateway.process.pid).net_connections(kind="tcp")
        if connection.raddr
        and connection.raddr.port == port
        and connection.status == psutil.CONN_ESTABLISHED
    )


def timed_get(url: str, headers: dict[str, str]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    with httpx.Client(timeout=30.0) as client:
        answer = client.get(url, headers=headers)
    return answer, time.monotonic() - started


async def test_a_stalled_service_answers_504_in_time_and_frees_its_connections(
    stack: Stack, impatient_gateway: ServiceProcess
) -> None:
    intake = stack.processes["intake"]
    gateway = impatient_gateway.url
    with stack.client() as client:
        org = organisation(client, "Slow NGO")
    headers = org.operator
    people = f"{gateway}/api/v1/beneficiaries"
    with httpx.Client(base_url=gateway, timeout=30.0) as client:
        assert client.get("/api/v1/beneficiaries", headers=headers).status_code == 200
        key, label = str(uuid.uuid4()), unique_label("Stalled")
        responsive = 0.0
        intake.pause()
        try:
            with ThreadPoolExecutor(STALLED) as pool:
                waves: list[list[Future[tuple[httpx.Response, float]]]] = []
                peaks: list[int] = []
                for _ in range(2):  # a second wave must not add to the first one's connections
                    wave = [pool.submit(timed_get, people, headers) for _ in range(STALLED)]
                    waves.append(wave)
                    peak, answered_meanwhile = 0, False
                    while not all(future.done() for future in wave):
                        peak = max(peak, connections(impatient_gateway, intake.port))
                        if not answered_meanwhile:  # the gateway's own route, at once
                            started = time.monotonic()
                            me = client.get("/api/v1/auth/me", headers=headers)
                            assert me.status_code == 200, me.text
                            responsive = time.monotonic() - started
                            answered_meanwhile = not all(future.done() for future in wave)
                            assert answered_meanwhile, "the gateway waited on the stalled calls"
                        await asyncio.sleep(0.1)
                    peaks.append(peak)
                    for answer, elapsed in (future.result() for future in wave):
                        assert answer.status_code == 504, answer.text
                        assert answer.headers["content-type"] == "application/problem+json"
                        assert answer.json()["service"] == "intake"
                        assert TIMEOUT * 0.9 <= elapsed <= TIMEOUT + MARGIN, elapsed
                # The other services answer all along.
                for path in ("/api/v1/offers", "/api/v1/pathways"):
                    answer = client.get(path, headers=headers)
                    assert answer.status_code == 200, (path, answer.text)
                left_after_504 = connections(impatient_gateway, intake.port)
            # A write that timed out: its outcome is unknown to the client...
            stalled_write = client.post(
                "/api/v1/beneficiaries",
                json=person(label),
                headers={**headers, "Idempotency-Key": key},
            )
            assert stalled_write.status_code == 504, stalled_write.text
        finally:
            intake.resume()
        resumed_at = time.monotonic()
        eventually(
            lambda: client.get("/api/v1/beneficiaries", headers=headers).status_code == 200,
            timeout=15,
        )
        recovered = time.monotonic() - resumed_at
        # ... so it retries with the same key: one person, whatever the stalled attempt did.
        retried = client.post(
            "/api/v1/beneficiaries", json=person(label), headers={**headers, "Idempotency-Key": key}
        )
        assert retried.status_code == 201, retried.text
        for _ in range(5):
            assert client.get("/api/v1/beneficiaries", headers=headers).status_code == 200
        after = connections(impatient_gateway, intake.port)
    rows = await sql(
        stack.databases["intake"],
        "SELECT count(*) AS n FROM beneficiary WHERE family_name = $1",
        label,
    )
    assert rows[0]["n"] == 1
    assert left_after_504 == 0, "the gateway kept connections to a service it gave up on"
    assert 0 < max(peaks) <= STALLED + 1, peaks  # + the pooled one from before the stall
    assert after <= 2, after  # sequential requests reuse one kept-alive connection
    timings = [elapsed for wave in waves for _, elapsed in (f.result() for f in wave)]
    print(
        f"\nslow: {len(timings)} requests to paused intake -> 504 in "
        f"{min(timings):.2f}-{max(timings):.2f} s (timeout {TIMEOUT} s); gateway /auth/me "
        f"meanwhile {responsive * 1000:.0f} ms; connections to intake: {peaks} during the stall, "
        f"{left_after_504} after the 504s, {after} after recovery ({recovered:.2f} s); "
        f"a 504'd keyed write retried -> 1 record"
    )
