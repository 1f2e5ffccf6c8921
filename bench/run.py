"""``make bench``: Ponte against a ceiling measured in the same run, on this machine.

Starts a bare FastAPI hello-world (the ceiling) and the whole stack as real processes on fresh
PostgreSQL databases (``PONTE_BENCH_DATABASE_URL``, a server URL, or an embedded pgserver), runs wrk
against each target in interleaved rounds, and writes ``bench/results/<date>-<suite>.json`` and
``.md``, comparing with the previous result of the same suite. Quote medians and ratios: the
machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import wrk
from services.processes import SERVICES, ServiceProcess, free_port, running_services
from shared.embedded import drop_database, ensure_database, start_embedded
from shared.migrations import upgrade_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ADMIN_EMAIL = "bench@ponte.example"
ADMIN_PASSWORD = "bench-admin-password"


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


def foundation(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    """Authenticated /auth/me and one proxied service call against the hello-world ceiling."""
    with (
        database_server() as server,
        running_stack(server, logs) as stack,
        hello_world(logs) as hello,
    ):
        gateway = stack["gateway"].url
        auth = {"Authorization": f"Bearer {admin_token(gateway)}"}
        targets = {
            "hello-world (ceiling)": (f"{hello.url}/hello", {}),
            "GET /api/v1/auth/me (gateway)": (f"{gateway}/api/v1/auth/me", auth),
            "GET /api/v1/code-lists (proxied to intake)": (f"{gateway}/api/v1/code-lists", auth),
            "GET /api/v1/code-lists/cefr-levels, Accept-Language (proxied)": (
                f"{gateway}/api/v1/code-lists/cefr-levels",
                {**auth, "Accept-Language": "it"},
            ),
        }
        for url, headers in targets.values():  # warm caches, pools and JITs of every kind
            wrk.run(url, seconds=2, connections=args.connections, headers=headers)
        rounds: dict[str, list[wrk.WrkResult]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, (url, headers) in targets.items():
                rounds[name].append(
                    wrk.run(
                        url, seconds=args.seconds, connections=args.connections, headers=headers
                    )
                )
    ceiling = wrk.median(rounds["hello-world (ceiling)"]).requests_per_second
    return {
        name: {
            **wrk.median(results).as_dict(),
            "ratio_to_ceiling": round(wrk.median(results).requests_per_second / ceiling, 3),
            "rounds": [result.as_dict() for result in results],
        }
        for name, results in rounds.items()
    }


SUITES = {"foundation": foundation}


def markdown(suite: str, report: dict[str, Any], previous: dict[str, Any] | None) -> str:
    lines = [
        f"# Benchmark `{suite}`, {report['date']}",
        "",
        f"{report['machine']['cpus']} CPUs, Python {report['machine']['python']}; wrk "
        f"{report['config']['connections']} connections, {report['config']['rounds']} rounds of "
        f"{report['config']['seconds']} s, medians.",
        "",
        "| target | req/s | p50 ms | p99 ms | errors | ratio to ceiling | previous req/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in report["results"].items():
        before = (previous or {}).get("results", {}).get(name, {}).get("requests_per_second", "")
        lines.append(
            f"| {name} | {row['requests_per_second']:.0f} | {row['p50_ms']} | {row['p99_ms']} "
            f"| {row['errors']} | {row['ratio_to_ceiling']:.2f} | {before} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("suites", nargs="*", help=f"default: all of {', '.join(SUITES)}")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args(argv)
    unknown = set(args.suites) - set(SUITES)
    if unknown:
        parser.error(f"unknown suites: {', '.join(sorted(unknown))}")
    args.suites = args.suites or list(SUITES)
    wrk.require_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    logs = ROOT / "var" / "bench-logs"
    logs.mkdir(parents=True, exist_ok=True)
    for suite in args.suites:
        previous_files = sorted(RESULTS.glob(f"*-{suite}.json"))
        previous = json.loads(previous_files[-1].read_text()) if previous_files else None
        report = {
            "suite": suite,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "config": {
                "seconds": args.seconds,
                "rounds": args.rounds,
                "connections": args.connections,
            },
            "results": SUITES[suite](args, logs),
        }
        stem = RESULTS / f"{datetime.now(UTC):%Y-%m-%dT%H%M}-{suite}"
        stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
        summary = markdown(suite, report, previous)
        stem.with_suffix(".md").write_text(summary)
        print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
