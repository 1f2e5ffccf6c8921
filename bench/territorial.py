"""Suite ``territorial``: the territorial analysis through the gateway over 100,000 people
(``--people``) living in the committed territories' subset, 2,000 service points and 3,000
offers, beside the hello-world ceiling measured in the same run.

People, service points, offers and referrals are bulk-inserted into matching's database (their
residence and needs as intake's and pathways' events leave them), half of the people in the
province of Rome; the territories and the ESCO subset are imported with the real commands. The
analysis is computed on every request (nothing is cached): Rome's province (about 50,000
people), the municipality of Rome (its people, and the province within reach), and an
operator's view of its own organisation's people."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

from bench.stack import admin_token, latencies, organisation_with_operator, stack_and_ceiling
from services.matching.db.cluster_tables import TIERS, ServicePoint
from services.matching.db.models import CandidateProfile, Offer, Referral
from shared.db import create_engine, session_factory
from tests.matching.esco import import_subset
from tests.matching.territories import import_territory_subset

SEED = 2026
SERVICE_POINTS = 2_000
OFFERS = 3_000
REFERRALS = 30_000
ORGANISATIONS = 20
# Served nowhere in the bench's Rome: the analysis must list it as a gap.
UNSERVED = "childcare"
NEEDS = (
    "documents_legal",
    "housing",
    "health",
    "language",
    "income",
    "employment",
    "training",
    UNSERVED,
    "transport",
    "digital_skills",
)
OFFER_TYPES = ("training", "language_course", "internship", "job", "entrepreneurship")
KINDS = (
    "public_employment_centre",
    "job_desk",
    "legal_aid",
    "help_desk",
    "health",
    "housing",
    "language_school",
)


async def _reference(database: str) -> tuple[list[str], list[str], list[str]]:
    """Import the territories and the ESCO subset; (Rome's municipalities, every other
    municipality, skill URIs)."""
    await import_territory_subset(database)
    await import_subset(database)
    db = create_engine(database, pool_size=1, max_overflow=0)
    try:
        async with db.connect() as connection:
            lau = list(
                await connection.execute(
                    text("SELECT code, parent_code FROM territory WHERE level = 4 ORDER BY code")
                )
            )
            skills = list(
                await connection.scalars(
                    text(
                        "SELECT uri FROM esco_skill WHERE concept_type = 'skill' "
                        "ORDER BY uri LIMIT 400"
                    )
                )
            )
    finally:
        await db.dispose()
    rome = [row.code for row in lau if row.parent_code == "ITI43"]
    others = [row.code for row in lau if row.parent_code != "ITI43"]
    return rome, others, skills


async def seed(database: str, operator_org: uuid.UUID, people: int) -> dict[str, Any]:
    rome, others, skills = await _reference(database)
    rng = random.Random(SEED)
    orgs = [operator_org] + [uuid.uuid4() for _ in range(ORGANISATIONS - 1)]
    now = datetime.now(UTC)
    places = rome + others

    def place() -> str:
        return rng.choice(rome) if rng.random() < 0.5 else rng.choice(others)

    profiles = [
        {
            "beneficiary_id": uuid.uuid4(),
            "organization_id": rng.choice(orgs),
            "profile": {"skills": [{"uri": uri} for uri in rng.sample(skills, rng.randint(0, 6))]},
            "territory_code": place(),
            "needs": rng.sample(NEEDS, rng.randint(1, 4)),
            "updated_at": now,
        }
        for _ in range(people)
    ]
    served = [need for need in NEEDS if need != UNSERVED]
    points = [
        {
            "id": uuid.uuid4(),
            "organization_id": rng.choice(orgs),
            "name": f"Bench point {index}",
            "kind": rng.choice(KINDS),
            "need_domains": rng.sample(served, rng.randint(1, 3)),
            "tier": rng.choice(TIERS),
            "territory_code": rng.choice(places),
            "access_mode": "drop_in",
            "transport_access": [{"hub": "Termini", "minutes": rng.randint(5, 60)}],
            "status": "active" if rng.random() < 0.95 else "closed",
            "created_by": "bench",
        }
        for index in range(SERVICE_POINTS)
    ]
    offers = [
        {
            "id": uuid.uuid4(),
            "organization_id": rng.choice(orgs),
            "type": rng.choice(OFFER_TYPES),
            "title": f"Bench offer {index}",
            "status": "open",
            "territory_code": rng.choice(places),
            "seats": rng.randint(1, 10),
            "seats_taken": 0,
            "required_skills": rng.sample(skills, rng.randint(0, 4)),
            "preferred_skills": [],
            "permit_must_allow_work": False,
            "languages_of_instruction": [],
            "version": 1,
            "created_by": "bench",
        }
        for index in range(OFFERS)
    ]
    referrals = []
    for _ in range(REFERRALS):
        person, point = rng.choice(profiles), rng.choice(points)
        referrals.append(
            {
                "id": uuid.uuid4(),
                "beneficiary_id": person["beneficiary_id"],
                "organization_id": person["organization_id"],
                "provider_organization_id": point["organization_id"],
                "service_point_id": point["id"],
                "status": rng.choice(("completed", "dropped", "rejected")),  # ended: no uniqueness
                "history": [],
                "version": 1,
                "created_by": "bench",
                "created_at": now - timedelta(days=rng.randint(0, 360)),
            }
        )
    db = create_engine(database, pool_size=2, max_overflow=0)
    try:
        async with session_factory(db)() as session:
            for table, rows in (
                (CandidateProfile, profiles),
                (ServicePoint, points),
                (Offer, offers),
                (Referral, referrals),
            ):
                for start in range(0, len(rows), 5000):
                    await session.execute(insert(table), rows[start : start + 5000])
            await session.commit()
        async with db.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
    finally:
        await db.dispose()
    return {"people_in_rome_province": sum(p["territory_code"] in set(rome) for p in profiles)}


def run(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    with stack_and_ceiling(logs) as (stack, hello):
        gateway = stack["gateway"].url
        samples = max(30, args.samples // 5)
        with httpx.Client(base_url=gateway, timeout=60.0) as client:
            admin = {"Authorization": f"Bearer {admin_token(gateway)}"}
            organization, operator = organisation_with_operator(client, admin, "Bench territory")
            started = time.perf_counter()
            seeded = asyncio.run(
                seed(
                    str(stack["matching"].env["PONTE_MATCHING_DATABASE_URL"]),
                    uuid.UUID(organization),
                    args.people,
                )
            )
            seconds = round(time.perf_counter() - started, 1)
            period = {"from": (date.today() - timedelta(days=365)).isoformat()}

            def analysis(code: str, headers: dict[str, str]) -> Any:
                def call(_index: int) -> None:
                    answer = client.get(
                        f"/api/v1/territories/{code}/analysis", params=period, headers=headers
                    )
                    answer.raise_for_status()

                return call

            province = client.get(
                "/api/v1/territories/ITI43/analysis", params=period, headers=admin
            ).json()
            with httpx.Client(base_url=hello.url) as ceiling_client:
                ceiling = latencies(
                    lambda _i: ceiling_client.get("/hello").raise_for_status(), samples
                )
            rows: dict[str, Any] = {
                "seed: bulk-insert people, service points, offers, referrals": {
                    "people": args.people,
                    "service_points": SERVICE_POINTS,
                    "offers": OFFERS,
                    "referrals": REFERRALS,
                    "seconds": seconds,
                    **seeded,
                },
                "ceiling: GET /hello (bare FastAPI)": ceiling,
                "GET /territories/ITI43/analysis (platform admin, the province)": latencies(
                    analysis("ITI43", admin), samples
                ),
                "GET /territories/IT_058091/analysis (platform admin, Rome)": latencies(
                    analysis("IT_058091", admin), samples
                ),
                "GET /territories/ITI43/analysis (an operator's own people)": latencies(
                    analysis("ITI43", operator), samples
                ),
            }
            rows["check: the province's analysis"] = {
                "people": province["people"],
                "gaps": ",".join(gap["need"] for gap in province["gaps"]),
                "skill_groups": len(province["skills"]),
            }
            for name in list(rows)[2:5]:
                rows[name]["goal_p95_ms"] = 1000
                rows[name]["p50_ratio_to_ceiling"] = round(
                    rows[name]["p50_ms"] / ceiling["p50_ms"], 1
                )
            return rows
