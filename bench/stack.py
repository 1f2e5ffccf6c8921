"""The benchmark's stack: fresh databases on a PostgreSQL server (``PONTE_BENCH_DATABASE_URL``,
or an embedded one under ``var/``), the four services as processes, and the hello-world ceiling."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from shared.embedded import drop_database, ensure_database, start_embedded
from shared.migrations import upgrade_url
from tools.processes import SERVICES, ServiceProcess, free_port, running_services

ROOT = Path(__file__).resolve().parent.parent
ADMIN_EMAIL = "bench@ponte.example"
ADMIN_PASSWORD = "load-suite-root-passphrase"
STAFF_PASSWORD = "bench-operator-password"
# What an admin gives a new user; the user replaces it with STAFF_PASSWORD at the first sign-in.
FIRST_PASSWORD = "bench-first-password-42"


@contextlib.contextmanager
def database_server() -> Iterator[str]:
    configured = os.environ.get("PONTE_BENCH_DATABASE_URL")
    if configured:
        yield configured
        return
    (ROOT / "var").mkdir(exist_ok=True)
    server, url = start_embedded(ROOT / "var" / "bench-postgres")
    try:
        yield url
    finally:
        server.cleanup()


@contextlib.contextmanager
def running_stack(server_url: str, logs: Path) -> Iterator[dict[str, ServiceProcess]]:
    suffix = uuid.uuid4().hex[:8]
    names = {service: f"ponte_bench_{service}_{suffix}" for service in SERVICES}
    urls = {
        service: asyncio.run(ensure_database(server_url, name)) for service, name in names.items()
    }
    for service, url in urls.items():
        asyncio.run(upgrade_url(url, ROOT / "services" / service / "migrations"))
    extra = {
        "PONTE_BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
        "PONTE_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PONTE_MIGRATE_ON_START": "false",
        # wrk drives ~10,000 requests a second from one address with one token: limits far above
        # that, so the rate limiter's cost is measured without it refusing anything.
        "PONTE_GATEWAY_RATE_LIMIT_PER_MINUTE": "100000000",
        "PONTE_GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE": "100000000",
        "PONTE_GATEWAY_RATE_LIMIT_TOKEN_PER_MINUTE": "100000000",
    }
    try:
        with running_services(urls, logs, extra) as processes:
            yield processes
    finally:
        for name in names.values():
            asyncio.run(drop_database(server_url, name))


@contextlib.contextmanager
def hello_world(logs: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess("hello", free_port(), {}, logs / "hello.log", app="bench.hello:app")
    process.start()
    try:
        process.wait_ready(path="/hello")
        yield process
    finally:
        process.stop()


def admin_token(gateway: str) -> str:
    answer = httpx.post(
        f"{gateway}/api/v1/auth/token",
        data={"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        timeout=30,
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def latencies(call: Callable[[int], object], samples: int) -> dict[str, Any]:
    """Run ``call(index)`` ``samples`` times in a row; the median, p95 and max in milliseconds."""
    timings = []
    for index in range(samples):
        started = time.perf_counter()
        call(index)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=20, method="inclusive")
    return {
        "requests": samples,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(cuts[18], 2),
        "max_ms": round(max(timings), 2),
    }


def add_user(
    client: httpx.Client, admin: dict[str, str], organization: str, role: str, label: str
) -> tuple[str, dict[str, str]]:
    """A user made by ``admin`` who chose STAFF_PASSWORD at the first sign-in: (e-mail,
    headers). The platform admin adds only first org admins; those add the rest."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@bench.example"
    client.post(
        "/api/v1/users",
        json={
            "email": email,
            "full_name": f"{label} {role}",
            "password": FIRST_PASSWORD,
            "roles": [role],
            "organization_id": organization,
        },
        headers=admin,
    ).raise_for_status()
    answer = client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": email,
            "password": FIRST_PASSWORD,
            "new_password": STAFF_PASSWORD,
        },
    )
    answer.raise_for_status()
    return email, {"Authorization": f"Bearer {answer.json()['access_token']}"}


def sign_in(client: httpx.Client, email: str) -> dict[str, str]:
    """Fresh headers of a user made by :func:`add_user` (an access token lives 15 minutes)."""
    answer = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": STAFF_PASSWORD},
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def new_organisation(
    client: httpx.Client, root: dict[str, str], label: str, kind: str = "ngo"
) -> tuple[str, str, dict[str, str]]:
    """A new organisation, and the e-mail and headers of its first org admin, signed in."""
    answer = client.post(
        "/api/v1/organizations",
        json={"name": f"{label} {uuid.uuid4().hex[:6]}", "type": kind},
        headers=root,
    )
    answer.raise_for_status()
    organization: str = answer.json()["id"]
    return organization, *add_user(client, root, organization, "org_admin", label)


def organisation_with_operator(
    client: httpx.Client, root: dict[str, str], label: str
) -> tuple[str, dict[str, str]]:
    """A new organisation and the headers of an operator of it, signed in."""
    organization, _, admin = new_organisation(client, root, label)
    return organization, add_user(client, admin, organization, "operator", label)[1]


@contextlib.contextmanager
def stack_and_ceiling(logs: Path) -> Iterator[tuple[dict[str, ServiceProcess], ServiceProcess]]:
    """The whole stack on fresh databases and, beside it, the hello-world it is compared with."""
    with (
        database_server() as server,
        running_stack(server, logs) as stack,
        hello_world(logs) as hello,
    ):
        yield stack, hello
