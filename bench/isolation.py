"""Suite ``isolation``: can one organisation's heaviest allowed request slow another's reads, or
push a service past its memory limit? (issue 13's acceptance)

Two organisations, A and B, with an operator each, on the whole stack (PostgreSQL). B has
people registered through the API and a few offers; A has ``600 x 300`` (or matching's bound)
people with consent to matching and open offers with the most seats an offer may have, bulk-
inserted into matching's database. Then, for each of A's heaviest allowed requests:

1. a batch registration of look-alike people, as many as one batch may hold (every pair of them
   is compared by the duplicate check);
2. an allocation of the largest cohort matching allows, every pair eligible;
3. a burst of wrong-password sign-ins against one of A's accounts from one address, as many at
   once as that address's sign-in rate limit lets through (50-100);

B reads one person (intake) and one offer (matching) through the gateway, one request at a
time per kind, ``--samples`` times at rest just before, then for as long as A's request runs.
Reported: B's p95 during it against at rest (the aim: within 2x), the heavy request's status and
seconds, how long the services kept computing after it answered, and the peak resident memory of
the gateway's, intake's and matching's process trees (sampled every 50 ms, worker pools
included) against their limits in ``deploy/k8s/ponte.yaml`` (the aim: under them)."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import isolation_data as data
from bench.probes import MemoryWatch, mib, reading, wait_idle
from bench.stack import add_user, admin_token, database_server, new_organisation, running_stack
from tests.support import sql
from tools.synthetic_people import people

WATCHED = ("gateway", "intake", "matching")
B_PEOPLE = 100
B_OFFERS = 10
AIM_RATIO = 2.0
WRONG_PASSWORD = "not-the-password-of-this-account"
# Seconds to wait for the services to be idle before and after each heavy request (a batch
# that outlives its 504 kept intake busy for over a minute, and its events took half a minute).
IDLE_TIMEOUT = 150.0
Heavy = Callable[[], tuple[str, dict[str, Any]]]
After = Callable[[], dict[str, Any]]


def config(args: argparse.Namespace) -> dict[str, Any]:
    people, offers, source = data.allocation_size()
    batch, batch_source = data.batch_size()
    return {
        "samples_at_rest": args.samples,
        "batch": f"{batch} ({batch_source})",
        "allocation": f"{people} x {offers} ({source})",
        "burst": data.burst_size(args.burst),
        "memory_sampled_every_ms": 50,
    }


def _register(client: httpx.Client, headers: dict[str, str], items: list[dict[str, Any]]) -> Any:
    answer = client.post("/api/v1/beneficiaries/batch", json={"items": items}, headers=headers)
    answer.raise_for_status()
    return answer.json()


def _b_people(client: httpx.Client, headers: dict[str, str]) -> list[str]:
    items = []
    for number, person in enumerate(people(B_PEOPLE, seed=data.SEED)):
        person["birth_date"] = person["birth_date"].isoformat()
        person["arrival_date"] = person["arrival_date"].isoformat()
        items.append({**person, "external_id": f"b-{number}"})
    return [r["id"] for r in _register(client, headers, items)["results"] if r.get("id")]


@dataclass(frozen=True)
class Stage:
    """Who reads, what, and which processes are watched."""

    gateway: str
    reader: Mapping[str, str]  # B's operator's headers
    probes: Mapping[str, list[str]]  # paths by kind of read
    pids: Mapping[str, int]  # memory watched: gateway, intake, matching
    everyone: Mapping[str, int]  # idle awaited: all four (events reach pathways too)
    samples: int
    limits: Mapping[str, float]


def _scenario(stage: Stage, heavy: Heavy, after: After | None = None) -> dict[str, Any]:
    """B's reads at rest, then during ``heavy``; the memory of the watched services while it
    runs and until every service is idle again; then what ``after`` finds."""
    wait_idle(stage.everyone, timeout=IDLE_TIMEOUT)
    with reading(stage.gateway, stage.reader, stage.probes, limit=stage.samples) as readers:
        rest = {name: r.figures() for name, r in readers.items()}
    load = os.getloadavg()[0]
    watch = MemoryWatch(stage.pids)
    watch.start()
    with reading(stage.gateway, stage.reader, stage.probes) as readers:
        started = time.perf_counter()
        status, extra = heavy()
        seconds = time.perf_counter() - started
    during = {name: r.figures() for name, r in readers.items()}
    # Work can outlive its answer (a 504 with the computation still running), and events follow
    # it: wait for them, still watching memory.
    busy_after = wait_idle(stage.everyone, timeout=IDLE_TIMEOUT)
    watch.stop()
    row: dict[str, Any] = {"status": status, **extra, "seconds": round(seconds, 2)}
    row.update(after() if after else {})
    row["busy_after_s"] = busy_after
    row["load_1m"] = round(load, 2)
    ratios = []
    for name in stage.probes:
        row[f"{name}_rest_p95_ms"] = rest[name].get("p95_ms")
        row[f"{name}_p95_ms"] = during[name].get("p95_ms")
        row[f"{name}_max_ms"] = during[name].get("max_ms")
        row[f"{name}_reads"] = during[name]["requests"]
        row[f"{name}_not_200"] = during[name].get("not_200", 0)
        if rest[name].get("p95_ms") and during[name].get("p95_ms") is not None:
            ratio = round(during[name]["p95_ms"] / rest[name]["p95_ms"], 2)
            row[f"{name}_p95_ratio"] = ratio
            ratios.append(ratio)
    for name in stage.pids:
        row[f"{name}_before_mib"] = mib(watch.before[name])
        row[f"{name}_peak_mib"] = mib(watch.peak[name])
    row["reads_within_2x"] = bool(ratios) and max(ratios) <= AIM_RATIO
    row["memory_under_limits"] = all(mib(watch.peak[n]) <= stage.limits[n] for n in stage.pids)
    return row


def _pid(process: subprocess.Popen[bytes] | None) -> int:
    if process is None:
        raise RuntimeError("the service is not running")
    return process.pid


def _status(answer: httpx.Response) -> str:
    return str(answer.status_code)


def _burst(gateway: str, email: str, count: int) -> tuple[str, dict[str, Any]]:
    """``count`` wrong-password sign-ins at once, from one address, against one account."""

    form = {"grant_type": "password", "username": email, "password": WRONG_PASSWORD}

    async def all_at_once() -> list[str]:
        limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
        async with httpx.AsyncClient(base_url=gateway, timeout=120.0, limits=limits) as client:

            async def one() -> str:
                try:
                    answer = await client.post("/api/v1/auth/token", data=form)
                except httpx.HTTPError as error:
                    return type(error).__name__
                return _status(answer)

            return await asyncio.gather(*(one() for _ in range(count)))

    statuses = Counter(asyncio.run(all_at_once()))
    return ", ".join(f"{s} x{n}" for s, n in sorted(statuses.items())), {"requests": count}


def run(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    load_start = os.getloadavg()
    batch, _ = data.batch_size()
    size_people, size_offers, _ = data.allocation_size()
    burst = data.burst_size(args.burst)
    limits = data.memory_limits(WATCHED)
    with database_server() as server, running_stack(server, logs) as stack:
        gateway = stack["gateway"].url
        everyone = {name: _pid(process.process) for name, process in stack.items()}
        pids = {name: everyone[name] for name in WATCHED}
        with httpx.Client(base_url=gateway, timeout=300.0) as client:
            started = time.perf_counter()
            root = {"Authorization": f"Bearer {admin_token(gateway)}"}
            org_a, _, a_admin = new_organisation(client, root, "Isolation A")
            _, a_operator = add_user(client, a_admin, org_a, "operator", "Isolation A")
            victim, _ = add_user(client, a_admin, org_a, "operator", "Isolation A")
            org_b, _, b_admin = new_organisation(client, root, "Isolation B")
            _, b_operator = add_user(client, b_admin, org_b, "operator", "Isolation B")
            b_people = _b_people(client, b_operator)
            cohort, offers, b_offers = asyncio.run(
                data.seed_matching(
                    str(stack["matching"].env["PONTE_MATCHING_DATABASE_URL"]),
                    uuid.UUID(org_a),
                    size_people,
                    size_offers,
                    data.max_seats(),
                    uuid.UUID(org_b),
                    B_OFFERS,
                )
            )
            probes = {
                "intake_read": [f"/api/v1/beneficiaries/{i}" for i in b_people],
                "matching_read": [f"/api/v1/offers/{i}" for i in b_offers],
            }

            def allocate(body: dict[str, Any]) -> httpx.Response:
                return client.post("/api/v1/allocations", json=body, headers=a_operator)

            # Warm what the first call of each kind loads (taxonomy, indexes, pools).
            with reading(gateway, b_operator, probes, limit=20):
                pass
            allocate({"beneficiary_ids": cohort[:20], "offer_ids": offers[:10]}).raise_for_status()
            _register(client, a_operator, data.look_alikes(5, "warm"))
            setup = round(time.perf_counter() - started, 1)

            def heavy_batch() -> tuple[str, dict[str, Any]]:
                answer = client.post(
                    "/api/v1/beneficiaries/batch",
                    json={"items": data.look_alikes(batch, "heavy")},
                    headers=a_operator,
                )
                created = answer.json().get("results", []) if answer.is_success else []
                return _status(answer), {
                    "requests": 1,
                    "created": sum(1 for r in created if r.get("status") == "created"),
                }

            def heavy_allocation() -> tuple[str, dict[str, Any]]:
                answer = allocate({"beneficiary_ids": cohort, "offer_ids": offers})
                assigned = answer.json().get("assigned") if answer.is_success else None
                return _status(answer), {"requests": 1, "assigned": assigned}

            def written() -> dict[str, Any]:
                """The batch's people in intake's database, whatever its answer said."""
                found = asyncio.run(
                    sql(
                        str(stack["intake"].env["PONTE_INTAKE_DATABASE_URL"]),
                        "SELECT count(*) AS n FROM beneficiary WHERE external_id LIKE 'heavy-%'",
                    )
                )
                return {"written": int(found[0]["n"])}

            stage = Stage(gateway, b_operator, probes, pids, everyone, args.samples, limits)
            scenarios: dict[str, tuple[Heavy, After | None]] = {
                f"batch registration: {batch} look-alike people": (heavy_batch, written),
                f"allocation: {size_people} people x {size_offers} offers "
                f"of {data.max_seats()} seats": (heavy_allocation, None),
                # last: it leaves the address and the account throttled for sign-ins
                f"burst: {burst} wrong-password sign-ins, one account, one address": (
                    lambda: _burst(gateway, victim, burst),
                    None,
                ),
            }
            rows = {
                name: _scenario(stage, heavy, after) for name, (heavy, after) in scenarios.items()
            }
    rows["machine"] = {
        "load_1m_start": round(load_start[0], 2),
        "load_1m_end": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "setup_seconds": setup,
        **{f"{name}_limit_mib": limit for name, limit in limits.items()},
    }
    print(table(rows))
    return rows


def table(rows: Mapping[str, Mapping[str, Any]]) -> str:
    """The figures that answer the acceptance, one line per heavy request."""
    lines = [
        "| heavy request by A | status | s | busy after s | B intake p95 ms rest -> during (x) "
        "| B matching p95 ms rest -> during (x) | peak MiB gateway / intake / matching | aims |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in rows.items():
        if name == "machine":
            continue
        reads = [
            f"{row.get(f'{p}_rest_p95_ms')} -> {row.get(f'{p}_p95_ms')} "
            f"({row.get(f'{p}_p95_ratio')}x, {row.get(f'{p}_reads')} reads)"
            for p in ("intake_read", "matching_read")
        ]
        memory = " / ".join(str(row.get(f"{n}_peak_mib")) for n in WATCHED)
        aims = (
            f"reads {'ok' if row['reads_within_2x'] else 'OVER 2x'}, "
            f"memory {'ok' if row['memory_under_limits'] else 'OVER LIMIT'}"
        )
        status = row["status"] + (f" ({row['written']} written)" if "written" in row else "")
        lines.append(
            f"| {name} | {status} | {row['seconds']} | {row['busy_after_s']} "
            f"| {reads[0]} | {reads[1]} "
            f"| {memory} | {aims} |"
        )
    machine = rows.get("machine", {})
    lines.append(
        f"\nload average (1 min) {machine.get('load_1m_start')} at start, "
        f"{machine.get('load_1m_end')} at end, {machine.get('cpus')} CPUs; limits (MiB) "
        + ", ".join(f"{n} {machine.get(f'{n}_limit_mib')}" for n in WATCHED)
    )
    return "\n".join(lines)
