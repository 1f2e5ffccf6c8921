"""Suite ``load``: a mixed operator workload on the whole stack (PostgreSQL), with Locust headless.

Seeds, through the public API: five organisations with an operator each, a provider with 150 open
offers on the committed ESCO subset, and ``--load-people`` people (3,000 by default) registered in
batches, each with ESCO skills and consent to matching; waits until intake's events have reached
matching and pathways. Then, on that stack:

1. the ceiling: the bare hello-world, closed loop (``HelloUser``, ``--users`` users with no
   think time for ``--load-seconds``);
2. the gateway's floor: a trivial authenticated call proxied to intake (``ProxiedUser``, the same);
3. what each route costs, one request after another (``capacity.route_costs``): latency and each
   process's CPU per request, beside the hello-world and a primary-key read;
4. the capacity: the operators' mix (``OperatorUser``; the mix and its weights are in
   ``bench/locustfile.py``) in open loop at ``--rates``, each for ``--step-seconds``, up to the
   first rate that breaks the budget (``bench/capacity.py``).

Locust (one process, gevent) runs on the same machine as the stack and its CPU is not the
stack's. Rate limits are raised far above the load by ``bench.stack.running_stack``
(``PONTE_GATEWAY_RATE_LIMIT_*``): they are measured, not hit. Figures are Locust's, after the
users have spawned (``--reset-stats``)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bench import capacity
from bench.report_load import PROXIED, report
from bench.stack import (
    ROOT,
    STAFF_PASSWORD,
    add_user,
    admin_token,
    new_organisation,
    stack_and_ceiling,
)
from services.pathways.domain.rights import RIGHTS_ITEMS
from tests.matching.esco import import_subset
from tests.support import sql
from tools import demo_matching
from tools.synthetic_people import people

ORGANISATIONS = 5
OFFERS = 150
BATCH = 100  # a batch answers within the gateway's 15 s upstream timeout on a busy machine
SEED = 2026
PASSWORD = STAFF_PASSWORD
LOCUSTFILE = ROOT / "bench" / "locustfile.py"


def config(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "ceiling_users": args.users,
        "ceiling_seconds": args.load_seconds,
        "people": args.load_people,
        "cost_samples": args.cost_samples,
        **capacity.config(args),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def _member(
    client: httpx.Client, admin: dict[str, str], label: str, kind: str, role: str
) -> tuple[str, str]:
    """A new organisation and the e-mail of a user with ``role`` in it (its first org admin, or
    one that org admin adds)."""
    organization, email, org_admin = new_organisation(client, admin, label, kind)
    if role != "org_admin":
        email, _ = add_user(client, org_admin, organization, role, label)
    return organization, email


def _sign_in(client: httpx.Client, email: str) -> str:
    answer = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def _offers(rng: random.Random, today: date) -> list[dict[str, Any]]:
    """Open offers on the subset's occupations: most on the six the seeded people want (so their
    matches are meaningful), the rest on other occupations; no hard rules that exclude anyone."""
    taxonomy = demo_matching.taxonomy()
    wanted = [uri for uri in map(demo_matching._occupation, demo_matching.OCCUPATIONS) if uri]
    others = sorted(set(taxonomy.occupations) - set(wanted))
    start = today + timedelta(days=30)
    items = []
    for number in range(OFFERS):
        occupation = wanted[number % len(wanted)] if number % 3 else rng.choice(others)
        essential = sorted(taxonomy.essential.get(occupation, ()))
        rng.shuffle(essential)
        items.append(
            {
                "type": ("internship", "training", "job")[number % 3],
                "title": f"Bench offer {number}: {taxonomy.label(occupation)}",
                "municipality": rng.choice(["Roma", "Milano", "Latina", "Napoli"]),
                "starts_on": start.isoformat(),
                "seats": 1000,
                "skills_required": essential[:3],
                "skills_preferred": essential[3:5],
                "occupation_uri": occupation,
                "status": "open",
            }
        )
    return items


def _register(
    client: httpx.Client, token: str, bodies: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Register ``bodies`` in batches; the created people (id and names)."""
    created = []
    for start in range(0, len(bodies), BATCH):
        batch = bodies[start : start + BATCH]
        answer = client.post(
            "/api/v1/beneficiaries/batch",
            json={"items": batch},
            headers={"Authorization": f"Bearer {token}"},
        )
        answer.raise_for_status()
        for result in answer.json()["results"]:
            if result.get("id"):
                created.append({**batch[result["index"]], "id": result["id"]})
    return created


async def _count(database: str, query: str) -> int:
    rows = await sql(database, query)
    return int(rows[0]["n"])


def _wait_for_events(stack_env: dict[str, str], people_count: int) -> float:
    """Seconds until matching holds every person with consent and pathways every person."""
    started = time.perf_counter()
    checks = [
        (
            stack_env["matching"],
            "SELECT count(*) AS n FROM beneficiary_access WHERE matching_consent",
        ),
        (stack_env["matching"], "SELECT count(*) AS n FROM candidate_profile"),
        (stack_env["pathways"], "SELECT count(*) AS n FROM person"),
    ]
    while any(asyncio.run(_count(url, query)) < people_count for url, query in checks):
        if time.perf_counter() - started > 600:
            raise TimeoutError("intake's events did not reach matching and pathways in 10 min")
        time.sleep(1)
    return time.perf_counter() - started


def _seed(
    client: httpx.Client, gateway: str, stack_env: dict[str, str], args: argparse.Namespace
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Organisations, offers and people; the operators (e-mail, people) and the seed's figures."""
    rng = random.Random(SEED)
    started = time.perf_counter()
    admin = {"Authorization": f"Bearer {admin_token(gateway)}"}
    asyncio.run(import_subset(stack_env["matching"]))
    _provider, provider_email = _member(
        client, admin, "Bench training centre", "vet_provider", "org_admin"
    )
    provider = {"Authorization": f"Bearer {_sign_in(client, provider_email)}"}
    for body in _offers(rng, date.today()):
        client.post("/api/v1/offers", json=body, headers=provider).raise_for_status()
    bodies = []
    for index, person in enumerate(people(args.load_people, seed=SEED)):
        person["birth_date"] = person["birth_date"].isoformat()
        person["arrival_date"] = person["arrival_date"].isoformat()
        person["external_id"] = f"seed-{index}"
        bodies.append(demo_matching.with_skills(person, rng))
    operators: list[dict[str, Any]] = []
    for number in range(ORGANISATIONS):
        _org, email = _member(client, admin, f"Bench NGO {number}", "ngo", "operator")
        token = _sign_in(client, email)
        operators.append(
            {"email": email, "people": _register(client, token, bodies[number::ORGANISATIONS])}
        )
    registered = time.perf_counter() - started

    def consent(item: tuple[str, str]) -> None:
        token, person = item
        client.post(
            f"/api/v1/beneficiaries/{person}/consents",
            json={
                "purpose": "matching",
                "text_version": "bench-matching-2026",
                "collection_method": "paper_signed",
            },
            headers={"Authorization": f"Bearer {token}"},
        ).raise_for_status()

    tokens = [_sign_in(client, operator["email"]) for operator in operators]
    work = [(tokens[n], p["id"]) for n, op in enumerate(operators) for p in op["people"]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(consent, work))
    consented = time.perf_counter() - started
    total = sum(len(operator["people"]) for operator in operators)
    delivered = _wait_for_events(stack_env, total)
    figures = {
        "organisations": ORGANISATIONS,
        "offers": OFFERS,
        "people": total,
        "registered_seconds": round(registered, 1),
        "consents_seconds": round(consented - registered, 1),
        "events_wait_seconds": round(delivered, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return operators, figures


def _seed_file(client: httpx.Client, operators: list[dict[str, Any]], path: Path) -> None:
    """What the Locust users need, with tokens signed in now (they live 15 minutes)."""
    organisations = []
    for operator in operators:
        ids = [person["id"] for person in operator["people"]]
        names = sorted(
            {
                word[: 3 + index % 4]
                for index, person in enumerate(operator["people"])
                for word in (person["given_name"], person["family_name"])
                if len(word) >= 3
            }
        )
        organisations.append(
            {
                "token": _sign_in(client, operator["email"]),
                "people": ids,
                "names": names,
                # the second half for pathways, so reads and matches also see people with none
                "pathway_people": ids[len(ids) // 2 :],
            }
        )
    path.write_text(
        json.dumps(
            {
                "organisations": organisations,
                "rights_answers": {item.code: "yes" for item in RIGHTS_ITEMS},
                "registration_seed": SEED + 1,
                "shares": capacity.SHARES,
            }
        )
    )


def _locust(
    user: str, host: str, args: argparse.Namespace, seed: Path, logs: Path
) -> dict[str, dict[str, Any]]:
    """Run Locust headless as a subprocess; the rows of its stats CSV, by request name."""
    prefix = logs / f"locust-{user}"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--reset-stats",
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        "-t",
        f"{args.load_seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--host",
        host,
        "--loglevel",
        "WARNING",
        user,
    ]
    with (logs / f"locust-{user}.log").open("w") as log:
        completed = subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, "PONTE_LOAD_SEED": str(seed)},
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if completed.returncode not in (0, 1):  # 1: some requests failed, which the rows report
        raise RuntimeError(f"locust {user} exited with {completed.returncode}; see {log.name}")
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        return {row["Name"]: capacity.stats_row(row) for row in csv.DictReader(handle)}


def _idempotent(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def _cost_calls(
    client: httpx.Client, hello: httpx.Client, operators: list[dict[str, Any]], samples: int
) -> dict[str, list[Callable[[], httpx.Response]]]:
    """What ``capacity.route_costs`` sends for each route: ``samples`` calls of the first
    organisation's operator (referrals: one per person of the share no capacity step refers)."""
    headers = {"Authorization": f"Bearer {_sign_in(client, operators[0]['email'])}"}
    ids = [person["id"] for person in operators[0]["people"]][:samples]
    names = sorted({person["family_name"][:4] for person in operators[0]["people"]})
    bodies = []
    for index, body in enumerate(people(samples, seed=SEED + 7)):
        body["birth_date"] = body["birth_date"].isoformat()
        body["arrival_date"] = body["arrival_date"].isoformat()
        bodies.append({**body, "external_id": f"cost-{index}"})
    pairs = []
    for operator in operators:
        token = {"Authorization": f"Bearer {_sign_in(client, operator['email'])}"}
        for person in operator["people"][capacity.SHARES - 1 :: capacity.SHARES]:
            found = client.get(
                f"/api/v1/beneficiaries/{person['id']}/matches", params={"limit": 1}, headers=token
            ).json()["items"]
            if found:
                pairs.append((token, person["id"], found[0]["offer"]["id"]))
    get, post = client.get, client.post
    return {
        "hello-world (the ceiling)": [partial(hello.get, "/hello")] * samples,
        "GET /api/v1/code-lists/sexes (the gateway's floor)": [
            partial(get, "/api/v1/code-lists/sexes", headers=headers)
        ]
        * samples,
        "GET /api/v1/beneficiaries/{id} (a primary-key read)": [
            partial(get, f"/api/v1/beneficiaries/{person}", headers=headers) for person in ids
        ],
        "GET /api/v1/beneficiaries?q=": [
            partial(get, "/api/v1/beneficiaries", params={"q": name, "limit": 20}, headers=headers)
            for name in (names * samples)[:samples]
        ],
        "GET /api/v1/beneficiaries/{id}/matches": [
            partial(
                get,
                f"/api/v1/beneficiaries/{person}/matches",
                params={"limit": 10},
                headers=headers,
            )
            for person in ids
        ],
        "GET /api/v1/referrals": [
            partial(get, "/api/v1/referrals", params={"limit": 50}, headers=headers)
        ]
        * samples,
        "POST /api/v1/beneficiaries": [
            partial(post, "/api/v1/beneficiaries", json=body, headers=_idempotent(headers))
            for body in bodies
        ],
        "POST /api/v1/referrals": [
            partial(
                post,
                "/api/v1/referrals",
                json={"beneficiary_id": person, "offer_id": offer, "note": "Cost of a referral"},
                headers=_idempotent(token),
            )
            for token, person, offer in pairs[:samples]
        ],
    }


def run(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    with stack_and_ceiling(logs) as (stack, hello):
        gateway = stack["gateway"].url
        pids = {
            name: service.process.pid
            for name, service in {**stack, "hello": hello}.items()
            if service.process is not None
        }
        databases = {
            name: str(stack[name].env[f"PONTE_{name.upper()}_DATABASE_URL"])
            for name in ("matching", "pathways")
        }
        with httpx.Client(base_url=gateway, timeout=120.0) as client:
            operators, figures = _seed(client, gateway, databases, args)
            seed = logs / "load-seed.json"
            _seed_file(client, operators, seed)
            ceiling = _locust("HelloUser", hello.url, args, seed, logs)["GET /hello"]
            proxied = _locust("ProxiedUser", gateway, args, seed, logs)[PROXIED]
            with httpx.Client(base_url=hello.url) as ceiling_client:
                calls = _cost_calls(client, ceiling_client, operators, args.cost_samples)
                costs = capacity.route_costs(pids, calls)

            def seed_for(index: int) -> Path:
                path = logs / f"load-seed-{index}.json"
                _seed_file(client, operators, path)
                return path

            steps = capacity.steps(seed_for, gateway, pids, args, logs)
    return report(figures, ceiling, proxied, costs, steps)
