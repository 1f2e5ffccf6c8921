"""Suite ``intake``: a register of ``--people`` synthetic people (100,000 by default) in five
organisations, bulk-registered through the gateway by partner systems; then the latency of the
duplicate check, of ``q`` search, of a filtered list and of a single read, at that size, measured
from an operator's seat (sequential requests through the gateway; p50 and p95)."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.stack import (
    add_user,
    admin_token,
    database_server,
    latencies,
    new_organisation,
    running_stack,
)
from tests.support import sql
from tools.synthetic_people import people

ORGANISATIONS = 5
BATCH = 500


def partner_system(
    client: httpx.Client, admin: dict[str, str], index: int
) -> tuple[str, tuple[str, str], tuple[str, str]]:
    """An organisation, its partner system's (client id, secret) and an operator's (e-mail,
    token): the e-mail signs them in again (``bench.stack.sign_in``) when a run outlasts the
    token."""
    organization, _, org_admin = new_organisation(client, admin, f"Bench organisation {index}")
    secret = client.post("/api/v1/clients", json={"name": "bench"}, headers=org_admin).json()
    email, operator = add_user(client, org_admin, organization, "operator", "Bench")
    credentials = (secret["client_id"], secret["client_secret"])
    return organization, credentials, (email, operator["Authorization"].removeprefix("Bearer "))


def partner_token(client: httpx.Client, credentials: tuple[str, str]) -> str:
    """A fresh access token of the partner system (one lives 15 minutes)."""
    client_id, client_secret = credentials
    answer = client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def _client_token(client: httpx.Client, admin: dict[str, str], index: int) -> tuple[str, str, str]:
    """An organisation, its partner system's token and an operator's token."""
    organization, credentials, (_, operator) = partner_system(client, admin, index)
    return organization, partner_token(client, credentials), operator


def batches(count: int, seed: int = 2026, prefix: str = "bench") -> list[list[dict[str, Any]]]:
    """``count`` synthetic people as batch bodies of ``BATCH``, each with an external id."""
    chunks: list[list[dict[str, Any]]] = []
    for index, person in enumerate(people(count, seed=seed)):
        person["birth_date"] = person["birth_date"].isoformat()
        person["arrival_date"] = person["arrival_date"].isoformat()
        person["external_id"] = f"{prefix}-{index}"
        if index % BATCH == 0:
            chunks.append([])
        chunks[-1].append(person)
    return chunks


def register_batch(client: httpx.Client, partner: str, batch: list[dict[str, Any]]) -> list[str]:
    """One batch registered by a partner system's token: the ids of the people created."""
    answer = client.post(
        "/api/v1/beneficiaries/batch",
        json={"items": batch},
        headers={"Authorization": f"Bearer {partner}"},
    )
    answer.raise_for_status()
    return [result["id"] for result in answer.json()["results"] if result.get("id")]


def _latencies(client: httpx.Client, headers: dict[str, str], urls: list[str]) -> dict[str, Any]:
    return latencies(
        lambda index: client.get(urls[index], headers=headers).raise_for_status(), len(urls)
    )


def run(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    rng = random.Random(7)
    with database_server() as server, running_stack(server, logs) as stack:
        gateway = stack["gateway"].url
        with httpx.Client(base_url=gateway, timeout=120.0) as client:
            admin = {"Authorization": f"Bearer {admin_token(gateway)}"}
            organisations = [_client_token(client, admin, index) for index in range(ORGANISATIONS)]
            bodies = batches(args.people)

            def register(index_batch: tuple[int, list[dict[str, Any]]]) -> list[str]:
                index, batch = index_batch
                _org, partner, _operator = organisations[index % ORGANISATIONS]
                return register_batch(client, partner, batch)

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=2) as pool:
                ids_by_batch = list(pool.map(register, enumerate(bodies)))
            elapsed = time.perf_counter() - started
            registered = sum(len(ids) for ids in ids_by_batch)
            own_ids = [
                i
                for index, ids in enumerate(ids_by_batch)
                if index % ORGANISATIONS == 0
                for i in ids
            ]

            # Measure on a quiet system: wait until the relay has delivered every profile.
            delivery_started = time.perf_counter()
            database = str(stack["matching"].env["PONTE_MATCHING_DATABASE_URL"])
            while asyncio.run(_profiles(database)) < registered:
                if time.perf_counter() - delivery_started > 1800:
                    break
                time.sleep(2)
            delivered_after = time.perf_counter() - started
            _org, _partner, operator = organisations[0]
            headers = {"Authorization": f"Bearer {operator}"}
            sample = [rng.choice(own_ids) for _ in range(args.samples)]
            names = [p["given_name"] for b in bodies[::ORGANISATIONS][:20] for p in b]
            nationalities = ["MA", "EG", "NG", "PK", "BD", "UA", "AF", "SN", "TN", "AL"]
            results: dict[str, Any] = {
                "bulk registration (POST /beneficiaries/batch, 500 per request)": {
                    "people": registered,
                    "seconds": round(elapsed, 1),
                    "people_per_second": round(registered / elapsed, 1),
                },
                "duplicate check (GET /beneficiaries/{id}/duplicates)": _latencies(
                    client, headers, [f"/api/v1/beneficiaries/{i}/duplicates" for i in sample]
                ),
                "q search (GET /beneficiaries?q=<name prefix>)": _latencies(
                    client,
                    headers,
                    [
                        f"/api/v1/beneficiaries?q={rng.choice(names)[: rng.randint(3, 6)]}"
                        for _ in range(args.samples)
                    ],
                ),
                "filtered list (nationality, need, recent arrival)": _latencies(
                    client,
                    headers,
                    [
                        f"/api/v1/beneficiaries?nationality={rng.choice(nationalities)}&need=employment&recent_arrival=true"
                        for _ in range(args.samples)
                    ],
                ),
                "read one person (GET /beneficiaries/{id})": _latencies(
                    client, headers, [f"/api/v1/beneficiaries/{i}" for i in sample]
                ),
            }
            results["events delivered to matching (profiles in its read model)"] = {
                "people": asyncio.run(_profiles(database)),
                "seconds": round(delivered_after, 1),
                "people_per_second": round(registered / delivered_after, 1),
            }
    return results


async def _profiles(database: str) -> int:
    rows = await sql(database, "SELECT count(*) AS n FROM candidate_profile")
    return int(rows[0]["n"])
