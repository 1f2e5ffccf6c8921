"""Suite ``casework``: an operator's day at scale. ``--people`` people (100,000 by default)
registered through the gateway by the organisation's partner system, ``--pathways`` of them
(20,000) with a pathway seeded straight into the pathways database (as suite ``pathways`` does:
ten steps, two actions, the ladder, follow-ups, violations), 200 of them assigned to the
measured operator. Then, from that operator's seat through the gateway, sequential requests: the
one-call case view of their people and their task list (every task due before 2099, the longest
list), beside the single read of a person (the ceiling measured in the same run); and a caseload
page with its people, in two calls (the page, then its people in one batch) and in one
(``GET /cases``)."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench import pathways as pathway_seed
from bench.intake import batches, partner_system, partner_token, register_batch
from bench.stack import (
    admin_token,
    database_server,
    latencies,
    running_stack,
    sign_in,
)
from tests.support import sql


def run(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    rng = random.Random(16)
    with database_server() as server, running_stack(server, logs) as stack:
        gateway = stack["gateway"].url
        with httpx.Client(base_url=gateway, timeout=120.0) as client:
            admin = {"Authorization": f"Bearer {admin_token(gateway)}"}
            organization, credentials, (email, token) = partner_system(client, admin, 0)
            operator = {"Authorization": f"Bearer {token}"}
            me = client.get("/api/v1/auth/me", headers=operator).json()["subject"]

            def register(batch: list[dict[str, Any]]) -> list[str]:
                # A token per batch: registering 100,000 people outlasts one (15 minutes).
                return register_batch(client, partner_token(client, credentials), batch)

            started = time.perf_counter()
            # One batch at a time: on a shared machine two could outlast the gateway's timeout.
            with ThreadPoolExecutor(max_workers=1) as pool:
                ids = [
                    i
                    for batch in pool.map(register, batches(args.people, 2027, "casework"))
                    for i in batch
                ]
            registered = time.perf_counter() - started
            # Measure on a quiet system: wait until the relays have delivered every person.
            _wait_for_events(stack, len(ids))
            delivered = time.perf_counter() - started
            started = time.perf_counter()
            asyncio.run(
                pathway_seed.seed(
                    str(stack["pathways"].env["PONTE_PATHWAYS_DATABASE_URL"]),
                    uuid.UUID(organization),
                    me,
                    min(args.pathways, len(ids)),
                    [uuid.UUID(i) for i in ids[: args.pathways]],
                )
            )
            seeded = time.perf_counter() - started
            # Seeding outlasts the operator's first token (15 minutes): sign in again.
            operator = sign_in(client, email)
            caseload = client.get(
                "/api/v1/pathways", params={"assigned_to": "me", "limit": 200}, headers=operator
            ).json()["items"]
            mine = [item["beneficiary_id"] for item in caseload]
            sample = [rng.choice(mine) for _ in range(args.samples)]

            def case(index: int) -> None:
                answer = client.get(f"/api/v1/cases/{sample[index]}", headers=operator)
                answer.raise_for_status()
                assert answer.json()["unavailable"] == [], answer.text

            def person(index: int) -> None:
                client.get(
                    f"/api/v1/beneficiaries/{sample[index]}", headers=operator
                ).raise_for_status()

            def caseload_page(_index: int) -> None:
                rows = client.get(
                    "/api/v1/pathways", params={"assigned_to": "me", "limit": 50}, headers=operator
                )
                rows.raise_for_status()
                wanted = [("id", item["beneficiary_id"]) for item in rows.json()["items"]]
                client.get(
                    "/api/v1/beneficiaries", params=[*wanted, ("limit", "50")], headers=operator
                ).raise_for_status()

            def task_list(_index: int) -> None:
                answer = client.get(
                    "/api/v1/tasks",
                    params={"assigned_to": "me", "due_before": "2099-01-01", "limit": 50},
                    headers=operator,
                )
                answer.raise_for_status()
                assert answer.json()["items"], "the operator has no task"

            def caseload_in_one_call(_index: int) -> None:
                rows = client.get(
                    "/api/v1/cases", params={"assigned_to": "me", "limit": 50}, headers=operator
                )
                rows.raise_for_status()
                assert rows.json()["unavailable"] == [], rows.text

            person(0)  # warm the connection pools before the first figure
            return {
                "seed": {
                    "people (POST /beneficiaries/batch)": len(ids),
                    "people_seconds": round(registered, 1),
                    "events_delivered_seconds": round(delivered, 1),
                    "pathways (bulk insert)": min(args.pathways, len(ids)),
                    "pathways_seconds": round(seeded, 1),
                    "operator_cases": len(mine),
                },
                "read one person (GET /beneficiaries/{id}), the ceiling": latencies(
                    person, args.samples
                ),
                "case view (GET /cases/{id})": latencies(case, args.samples),
                "task list of the operator, first page of 50 (GET /tasks?assigned_to=me)": (
                    latencies(task_list, args.samples)
                ),
                "caseload page of 50 with its people (GET /pathways + GET /beneficiaries?id=)": (
                    latencies(caseload_page, args.samples)
                ),
                "caseload page of 50 with names in one call (GET /cases?assigned_to=me)": (
                    latencies(caseload_in_one_call, args.samples)
                ),
            }


def _wait_for_events(stack: dict[str, Any], people: int, within: float = 1800.0) -> None:
    """Until matching's read model and pathways' mirror hold every person (or ``within``)."""
    counts = (
        ("matching", "SELECT count(*) AS n FROM candidate_profile"),
        ("pathways", "SELECT count(*) AS n FROM person"),
    )
    deadline = time.monotonic() + within
    for service, statement in counts:
        database = str(stack[service].env[f"PONTE_{service.upper()}_DATABASE_URL"])
        while time.monotonic() < deadline:
            if int(asyncio.run(sql(database, statement))[0]["n"]) >= people:
                break
            time.sleep(2)


def config(args: argparse.Namespace) -> dict[str, Any]:
    # The machine is shared: its load when the run starts says how far to trust the figures.
    return {
        "people": args.people,
        "pathways": args.pathways,
        "samples": args.samples,
        "load_average_1_5_15": [round(value, 2) for value in os.getloadavg()],
    }
