"""Suite ``dashboard``: the cluster dashboard through the gateway, against the hello-world ceiling.

One cluster in Rome of 40 members (``--members``) with 100,000 referrals between them
(``--referrals``; half made in the cluster, half in no cluster), 200 offers, 80 commitments and
the people's residence over the municipalities of Roma's province, bulk-inserted into matching's
database; then the coordinator reads ``GET /api/v1/clusters/{id}/dashboard`` ``--samples`` times.
The goal (issue 15): p95 within 300 ms."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

from bench.stack import add_user, admin_token, latencies, new_organisation, stack_and_ceiling
from services.matching.db.cluster_tables import ClusterMember, Commitment
from services.matching.db.models import CandidateProfile, Offer, Referral
from services.matching.domain.cluster_access import MemberRole
from shared.db import create_engine, session_factory
from tests.matching.territories import import_territory_subset

SEED = 2026
GOAL_P95_MS = 300
TYPES = ("training", "language_course", "internship", "job", "entrepreneurship")
# Where a referral stands, and the moves that led there.
PATHS = {
    "proposed": ("proposed",),
    "rejected": ("proposed", "rejected"),
    "accepted": ("proposed", "accepted"),
    "enrolled": ("proposed", "accepted", "enrolled"),
    "completed": ("proposed", "accepted", "enrolled", "completed"),
    "dropped": ("proposed", "accepted", "enrolled", "dropped"),
}


def _history(status: str, start: datetime) -> dict[str, Any]:
    """The referral's history, and when it was answered and enrolled (the moves' columns)."""
    moves = [(move, start + timedelta(days=3 * n)) for n, move in enumerate(PATHS[status])]
    return {
        "history": [{"status": move, "at": at.isoformat(), "by": "bench"} for move, at in moves],
        "answered_at": next((at for move, at in moves if move in ("accepted", "rejected")), None),
        "enrolled_at": next((at for move, at in moves if move == "enrolled"), None),
    }


async def seed(database: str, cluster_id: uuid.UUID, coordinator: uuid.UUID, args: Any) -> None:
    rng = random.Random(SEED)
    db = create_engine(database, pool_size=2, max_overflow=0)
    try:
        async with db.connect() as connection:
            codes = [
                row[0]
                for row in await connection.execute(
                    text("SELECT code FROM territory WHERE parent_code = 'ITI43'")
                )
            ]
        members = [coordinator, *(uuid.uuid4() for _ in range(args.members - 1))]
        roles = [role.value for role in MemberRole if role != MemberRole.COORDINATOR]
        member_rows = [
            {
                "cluster_id": cluster_id,
                "organization_id": org,
                "roles": rng.sample(roles, rng.randint(1, 2)),
                "joined_on": date(2025, 1, 1),
                "version": 1,
            }
            for org in members[1:]
        ]
        offers = [
            {
                "id": uuid.uuid4(),
                "organization_id": rng.choice(members),
                "type": rng.choice(TYPES),
                "title": "Bench offer",
                "status": "open",
                "seats": rng.randint(5, 40),
                "seats_taken": 0,
                "starts_on": date(2026, 1, 1) + timedelta(days=rng.randrange(365)),
                "cluster_ids": rng.choice(([], [cluster_id])),
                "required_skills": [],
                "preferred_skills": [],
                "languages_of_instruction": [],
                "permit_must_allow_work": False,
                "version": 1,
                "created_by": "bench",
            }
            for _ in range(200)
        ]
        people = [uuid.uuid4() for _ in range(args.referrals // 3)]
        profiles = [
            {
                "beneficiary_id": person,
                "organization_id": rng.choice(members),
                "profile": {},
                "territory_code": rng.choice(codes),
                "updated_at": datetime.now(UTC),
            }
            for person in people
        ]
        referrals = []
        pairs: set[tuple[uuid.UUID, int]] = set()  # one referral of a person to an offer
        for index in range(args.referrals):
            person, which = rng.choice(people), rng.randrange(len(offers))
            while (person, which) in pairs:
                person, which = rng.choice(people), rng.randrange(len(offers))
            pairs.add((person, which))
            offer = offers[which]
            status = rng.choice(tuple(PATHS))
            made = datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(hours=rng.randrange(8000))
            referrals.append(
                {
                    "id": uuid.uuid4(),
                    "beneficiary_id": person,
                    "offer_id": offer["id"],
                    "organization_id": rng.choice(members),
                    "provider_organization_id": offer["organization_id"],
                    "cluster_id": cluster_id if index % 2 else None,
                    "status": status,
                    **_history(status, made),
                    "version": 1,
                    "created_by": "bench",
                }
            )
        commitments = [
            {
                "id": uuid.uuid4(),
                "cluster_id": cluster_id,
                "organization_id": org,
                "kind": kind,
                "offer_type": rng.choice((None, *TYPES)),
                "quantity": rng.randint(5, 50),
                "period_start": date(2026, 1, 1),
                "period_end": date(2026, 12, 31),
                "version": 1,
                "created_by": "bench",
            }
            for org in members
            for kind in rng.sample(("seats_offered", "seats_filled", "referrals_answered"), 2)
        ]
        async with session_factory(db)() as session:
            batches: tuple[tuple[Any, list[dict[str, Any]]], ...] = (
                (ClusterMember, member_rows),
                (Offer, offers),
                (CandidateProfile, profiles),
                (Referral, referrals),
                (Commitment, commitments),
            )
            for table, rows in batches:
                for first in range(0, len(rows), 5000):
                    await session.execute(insert(table), rows[first : first + 5000])
            await session.commit()
        async with db.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
    finally:
        await db.dispose()


def run(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    with stack_and_ceiling(logs) as (stack, hello):
        gateway = stack["gateway"].url
        with httpx.Client(base_url=gateway, timeout=60.0) as client:
            root = {"Authorization": f"Bearer {admin_token(gateway)}"}
            organization, _, admin = new_organisation(client, root, "Bench hub")
            coordinator = add_user(client, admin, organization, "cluster_coordinator", "Bench")[1]
            database = str(stack["matching"].env["PONTE_MATCHING_DATABASE_URL"])
            asyncio.run(import_territory_subset(database))  # the cluster's territory is checked
            created = client.post(
                "/api/v1/clusters",
                json={"name": "Bench MEIC Roma", "territory_codes": ["ITI43"]},
                headers=coordinator,
            )
            created.raise_for_status()
            cluster_id = created.json()["id"]
            started = time.perf_counter()
            asyncio.run(
                seed(
                    database,
                    uuid.UUID(cluster_id),
                    uuid.UUID(organization),
                    args,
                )
            )
            seeded = time.perf_counter() - started
            board: dict[str, Any] = {}

            def dashboard(_index: int) -> None:
                answer = client.get(f"/api/v1/clusters/{cluster_id}/dashboard", headers=coordinator)
                answer.raise_for_status()
                board.update(answer.json())

            with httpx.Client(base_url=hello.url) as bare:
                ceiling = latencies(lambda _i: bare.get("/hello").raise_for_status(), args.samples)
            measured = latencies(dashboard, args.samples)
    return {
        "seed: bulk-insert the cluster's members, offers, people, referrals, commitments": {
            "members": args.members,
            "referrals": args.referrals,
            "seconds": round(seeded, 1),
            "network_edges": len(board.get("network", [])),
            "territories": len(board.get("territories", [])),
            "dashboard_bytes": len(json.dumps(board)),
        },
        "ceiling: hello-world GET /hello": ceiling,
        "GET /clusters/{id}/dashboard (coordinator, through the gateway)": {
            **measured,
            "p50_ratio_to_ceiling": round(measured["p50_ms"] / ceiling["p50_ms"], 2),
            "goal_p95_ms": GOAL_P95_MS,
            "within_goal": measured["p95_ms"] <= GOAL_P95_MS,
        },
    }


def config(args: argparse.Namespace) -> dict[str, Any]:
    return {"members": args.members, "referrals": args.referrals, "samples": args.samples}
