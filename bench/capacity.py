"""The mixed operator workload in open loop: the highest arrival rate the stack sustains within a
latency budget, what each request costs in CPU, and how many operators that is.

Closed-loop users with no think time (the ceilings of ``bench/load.py``) measure queueing, not
service: a slow answer slows the load down. Here the load is an arrival rate: Locust users, each
a Poisson process of ``PACE`` tasks a second on a schedule of its own (``bench/locustfile.py``),
stepped up rate by rate until a step breaks the budget (p99 above ``BUDGET_P99_MS``, any error,
or less than ``SUSTAINED`` of the offered rate served). Each step is its own Locust process on
the same seeded stack (its own people to open pathways for and refer, its own registrations).

CPU is the services' own (user + system time of each service's process tree, and of every
PostgreSQL process), sampled over the step after the users have started; divided by the requests
the step served, it is the CPU a mixed request costs. ``route_costs`` measures the same per
route, one request after another on a quiet stack, beside the gateway's floor (a cached list).

Operators: a case worker's busy morning, stated so the figure can be argued with. Four hours of
casework, 10 people seen; for each, 2 searches, 3 reads of the person, 1.5 match lists, 0.5
referrals, 1 list of referrals, 3 pathway steps and 0.5 registrations: 11.5 calls a person, 115
a morning, 29 an hour; twice that in the peak hour. An operator at peak is then 58 calls an hour
(``OPERATOR_CALLS_PER_HOUR``) and one request a second serves 62 of them.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.probes import tree_cpu_seconds, wait_idle
from bench.stack import ROOT

LOCUSTFILE = ROOT / "bench" / "locustfile.py"
RESULTS = ROOT / "bench" / "results"
BUDGET_P99_MS = 250.0
SUSTAINED = 0.95  # of the offered rate, served
# Tasks a second per user: as many users as the rate, each waiting a second on average, so a
# user is behind its schedule only when an answer takes most of a second (far out of budget).
PACE = 1.0
SPAWN_SECONDS = 5
OPERATOR_CALLS_PER_HOUR = 58
# The people are shared out among this many steps, the last share for route_costs' referrals:
# at most SHARES - 1 steps (a step at 150/s opens about 150 pathways, of the 1,500 people seeded
# for them; when its share runs out, its users record further cycles on the pathways they have).
SHARES = 9


def config(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "rates": args.rates,
        "step_seconds": args.step_seconds,
        "budget": f"p99 <= {BUDGET_P99_MS:.0f} ms, 0 errors, >= {SUSTAINED:.0%} of the rate",
        "arrivals": f"Poisson, {PACE} tasks/s per Locust user (1 process)",
        "profiled_at": args.profile_rates,
    }


def _postgres_cpu() -> float:
    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        times = process.info["cpu_times"]
        if process.info["name"] in ("postgres", "postmaster") and times is not None:
            total += times.user + times.system
    return total


def cpu_seconds(pids: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process tree and of PostgreSQL."""
    usage = {name: tree_cpu_seconds(psutil.Process(pid)) for name, pid in pids.items()}
    usage["postgres"] = _postgres_cpu()
    return usage


def _spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before[name] for name in before}


def step(
    rate: float,
    index: int,
    seed: Path,
    host: str,
    pids: Mapping[str, int],
    args: argparse.Namespace,
    logs: Path,
) -> dict[str, Any]:
    """One step at ``rate`` tasks a second: Locust's figures per route (after the users have
    started) and the services' CPU over the same window."""
    users = max(1, round(rate / PACE))
    prefix = logs / f"capacity-{index}"
    command = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"),
        *("--only-summary", "--reset-stats", "-u", str(users), "-r", str(users / SPAWN_SECONDS)),
        *("-t", f"{SPAWN_SECONDS + args.step_seconds}s", "--stop-timeout", "10"),
        *("--csv", str(prefix), "--host", host, "--loglevel", "WARNING", "OperatorUser"),
    ]
    environment = {
        **os.environ,
        "PONTE_LOAD_SEED": str(seed),
        "PONTE_LOAD_PACE": str(PACE),
        "PONTE_LOAD_STEP": str(index),
    }
    with Path(f"{prefix}.log").open("w") as log:
        locust = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        time.sleep(SPAWN_SECONDS + 1)
        profilers = flame_graphs(rate, pids, args) if rate in args.profile_rates else []
        before, started = cpu_seconds(pids), time.perf_counter()
        time.sleep(args.step_seconds - 2)
        spent, window = _spent(before, cpu_seconds(pids)), time.perf_counter() - started
        code = locust.wait()
        for profiler in profilers:
            profiler.wait()
    if code not in (0, 1):  # 1: some requests failed, which the rows report
        raise RuntimeError(f"locust exited with {code}; see {prefix}.log")
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        routes = {row["Name"]: stats_row(row) for row in csv.DictReader(handle)}
    total = routes.pop("Aggregated")
    served = total["requests_per_second"]
    cores = {name: round(seconds / window, 2) for name, seconds in spent.items()}
    return {
        "offered_rps": rate,
        **total,
        "within_budget": (
            total["p99_ms"] is not None
            and total["p99_ms"] <= BUDGET_P99_MS
            and total["errors"] == 0
            and served >= SUSTAINED * rate
        ),
        "cpu_ms_per_request": round(sum(spent.values()) / (served * window) * 1000, 2)
        if served
        else None,
        "cores": cores,
        "routes": routes,
    }


def flame_graphs(
    rate: float, pids: Mapping[str, int], args: argparse.Namespace
) -> list[subprocess.Popen[bytes]]:
    """py-spy flame graphs of the four services over the step (``--profile-rates``), written to
    ``bench/results/<date>-flame-<rate>-<service>.svg``. Sampling costs each service a little
    CPU: the step's figures are the profiled ones."""
    stamp = time.strftime("%Y-%m-%dT%H%M", time.gmtime())
    spy = Path(sys.executable).with_name("py-spy")
    return [
        subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(pids[service]),
                "--duration",
                str(args.step_seconds - 2),
                "--rate",
                "100",
                "--nonblocking",
                "--output",
                str(RESULTS / f"{stamp}-flame-{rate:g}-{service}.svg"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for service in ("gateway", "intake", "pathways", "matching")
    ]


def stats_row(row: dict[str, str]) -> dict[str, Any]:
    """A row of Locust's stats CSV."""
    requests = int(row["Request Count"])
    failures = int(row["Failure Count"])
    return {
        "requests": requests,
        "requests_per_second": round(float(row["Requests/s"]), 1),
        "p50_ms": _ms(row["50%"]),
        "p95_ms": _ms(row["95%"]),
        "p99_ms": _ms(row["99%"]),
        "errors": failures,
    }


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def steps(
    seed_for: Callable[[int], Path],
    host: str,
    pids: Mapping[str, int],
    args: argparse.Namespace,
    logs: Path,
) -> list[dict[str, Any]]:
    """The steps of ``args.rates`` in order, up to and including the first that breaks the
    budget. ``seed_for(index)`` writes the seed file of a step (fresh tokens)."""
    done = []
    for index, rate in enumerate(args.rates[: SHARES - 1]):
        result = step(rate, index, seed_for(index), host, pids, args, logs)
        done.append(result)
        if not result["within_budget"]:
            break
    return done


def route_costs(
    pids: Mapping[str, int], calls: Mapping[str, list[Callable[[], httpx.Response]]]
) -> dict[str, dict[str, Any]]:
    """Each route's calls one after another on a quiet stack: the median latency and the CPU
    each process spent per request, events included (measured until the services are idle
    again: a registration's events cost matching and pathways CPU after the answer)."""
    rows = {}
    for name, requests in calls.items():
        timings = []
        wait_idle(pids, cores=0.05)
        before = cpu_seconds(pids)
        for call in requests:
            started = time.perf_counter()
            answer = call()
            timings.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        wait_idle(pids, cores=0.05)
        spent = _spent(before, cpu_seconds(pids))
        rows[name] = {
            "requests": len(timings),
            "p50_ms": round(statistics.median(timings), 2),
            "cpu_ms_per_request": round(sum(spent.values()) / len(timings) * 1000, 2),
            **{f"cpu_ms_{who}": round(s / len(timings) * 1000, 2) for who, s in spent.items()},
        }
    return rows
