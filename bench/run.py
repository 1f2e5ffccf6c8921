"""``make bench``: Ponte against a ceiling measured in the same run, on this machine.

Starts a bare FastAPI hello-world (the ceiling) and the whole stack as real processes on fresh
PostgreSQL databases (``PONTE_BENCH_DATABASE_URL``, a server URL, or an embedded pgserver), runs wrk
against each target in interleaved rounds, and writes ``bench/results/<date>-<suite>.json`` and
``.md``, comparing with the previous result of the same suite. Quote medians and ratios: the
machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    casework,
    dashboard,
    foundation,
    free_text_ranking,
    intake,
    isolation,
    load,
    matching,
    pathways,
    skill_resolution,
    territorial,
    wrk,
)
from bench.stack import ROOT

RESULTS = ROOT / "bench" / "results"


SUITES: dict[str, Callable[[argparse.Namespace, Path], dict[str, Any]]] = {
    "foundation": foundation.run,
    "intake": intake.run,
    "pathways": pathways.run,
    "matching": matching.run,
    "load": load.run,
    "isolation": isolation.run,
    "dashboard": dashboard.run,
    "territorial": territorial.run,
    "casework": casework.run,
    "resolution": skill_resolution.run,
    "ranking": free_text_ranking.run,
}
# Suites whose settings are not wrk's (seconds, rounds, connections).
CONFIGS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "load": load.config,
    "isolation": isolation.config,
    "dashboard": dashboard.config,
    "casework": casework.config,
    "resolution": skill_resolution.config,
    "ranking": free_text_ranking.config,
}


def markdown(suite: str, report: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """A table of the suite's rows, each figure followed by the previous run's."""
    rows: dict[str, dict[str, Any]] = report["results"]
    columns: list[str] = []
    for row in rows.values():
        columns += [key for key in row if key != "rounds" and key not in columns]
    config = ", ".join(f"{key} {value}" for key, value in report["config"].items())
    lines = [
        f"# Benchmark `{suite}`, {report['date']}",
        "",
        f"{report['machine']['cpus']} CPUs, Python {report['machine']['python']}; {config}. "
        "Medians; `(was ...)` is the previous result file of this suite.",
        "",
        "| target | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    before_rows = (previous or {}).get("results", {})
    for name, row in rows.items():
        cells = []
        for column in columns:
            value = row.get(column, "")
            before = before_rows.get(name, {}).get(column)
            cells.append(
                f"{value} (was {before})" if before is not None and before != value else f"{value}"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("suites", nargs="*", help=f"default: all of {', '.join(SUITES)}")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--people", type=int, default=100_000, help="intake: people registered; matching: seeded"
    )
    parser.add_argument("--samples", type=int, default=300, help="requests per latency figure")
    parser.add_argument("--pathways", type=int, default=20_000, help="pathways: pathways seeded")
    parser.add_argument(
        "--resolution-queries", type=int, default=300, help="resolution: texts per kind of noise"
    )
    parser.add_argument("--ranking-people", type=int, default=1000, help="ranking: held-out people")
    parser.add_argument(
        "--ranking-offers-per-occupation", type=int, default=2, help="ranking: offers of each"
    )
    parser.add_argument("--offers", type=int, default=50_000, help="matching: offers seeded")
    parser.add_argument("--members", type=int, default=40, help="dashboard: cluster members")
    parser.add_argument(
        "--referrals", type=int, default=100_000, help="dashboard: referrals between members"
    )
    parser.add_argument("--users", type=int, default=50, help="load: concurrent Locust users")
    parser.add_argument("--spawn-rate", type=float, default=25, help="load: users started a second")
    parser.add_argument("--load-seconds", type=int, default=60, help="load: seconds of each run")
    parser.add_argument("--load-people", type=int, default=3000, help="load: people seeded")
    parser.add_argument(
        "--rates",
        type=lambda text: [float(rate) for rate in text.split(",")],
        default=[50.0, 75.0, 100.0, 125.0, 150.0, 175.0, 200.0, 250.0],  # at most SHARES - 1
        help="load: open-loop arrival rates to step through (requests a second, comma-separated)",
    )
    parser.add_argument("--step-seconds", type=int, default=45, help="load: seconds of each rate")
    parser.add_argument(
        "--profile-rates",
        type=lambda text: [float(rate) for rate in text.split(",") if rate],
        default=[],
        help="load: rates at which py-spy records a flame graph of each service (comma-separated)",
    )
    parser.add_argument(
        "--cost-samples", type=int, default=200, help="load: requests per route's cost"
    )
    parser.add_argument(
        "--burst",
        type=int,
        default=None,
        help="isolation: concurrent wrong-password sign-ins (default: the per-address sign-in "
        "rate limit, within 50-100)",
    )
    args = parser.parse_args(argv)
    unknown = set(args.suites) - set(SUITES)
    if unknown:
        parser.error(f"unknown suites: {', '.join(sorted(unknown))}")
    args.suites = args.suites or list(SUITES)
    if "foundation" in args.suites:  # the only suite that drives wrk
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
            "config": CONFIGS[suite](args)
            if suite in CONFIGS
            else {
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
