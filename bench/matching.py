"""Suite ``matching``: the engine in-process (``bench/matching_engine.py``) and the service through
the gateway, on the WHOLE official ESCO v1.1.1 imported by the import command.

Through the gateway, on PostgreSQL: 50,000 offers and 100,000 people with consent to matching
(``--offers``, ``--people``), seeded with bulk inserts into matching's database (their profiles
as intake's events would leave them), then one operator's seat: a person's matches, one offer's
candidates, the largest allocation the service allows by default (2,000 people, 500 offers), and
the ceiling of a primary-key read of one offer through the same gateway."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from bench import matching_engine
from bench.stack import (
    admin_token,
    database_server,
    latencies,
    organisation_with_operator,
    running_stack,
)
from services.matching.db.indexes import OFFERS, PEOPLE, bump_revision
from services.matching.db.models import CandidateProfile, Offer, beneficiary_access
from services.matching.domain import eligibility as engine
from services.matching.settings import ALLOCATION_MAX_OFFERS, ALLOCATION_MAX_PEOPLE
from services.matching.taxonomy.importer import import_taxonomy
from shared.db import create_engine, session_factory
from tests.matching.engine_data import (
    esco_archives,
    pool,
    random_offers,
    random_people,
    whole_taxonomy,
)

SEED = 2026


def _profile(person: engine.Person) -> dict[str, Any]:
    """An engine person as matching's read model holds it (intake's matching profile)."""
    return {
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "permit_allows_work": person.permit_allows_work,
        "languages": [{"code": c, "level": level} for c, level in person.languages.items()],
        "education_level": None if person.education_level is None else str(person.education_level),
        "municipality": person.municipality,
        "skills": [{"uri": uri, "label": uri} for uri in sorted(person.skills)],
        "desired_occupations": [{"uri": u, "label": u} for u in sorted(person.desired_occupations)],
        "experience_occupations": [
            {"uri": u, "label": u} for u in sorted(person.experience_occupations)
        ],
        "vulnerability_level": random.Random(person.beneficiary_id).choice(
            ("low", "medium", "high")
        ),
    }


def _offer_row(offer: engine.Offer, organization: uuid.UUID) -> dict[str, Any]:
    language = offer.min_language or (None, None)
    return {
        "id": uuid.uuid4(),
        "organization_id": organization,
        "type": offer.type,
        "title": f"Bench {offer.type} {offer.id}",
        "status": "open" if offer.status == "draft" else offer.status,
        "municipality": offer.municipality,
        "latitude": offer.coordinates[0] if offer.coordinates else None,
        "longitude": offer.coordinates[1] if offer.coordinates else None,
        "starts_on": offer.starts_on,
        "ends_on": offer.ends_on,
        # 1-5 seats, none taken: 1,000 offers hold about the 3,000 seats the issue asks for
        "seats": 1 + zlib.crc32(offer.id.encode()) % 5,
        "seats_taken": 0,
        "required_skills": sorted(offer.required_skills),
        "preferred_skills": sorted(offer.preferred_skills),
        "occupation_uri": offer.occupation_uri,
        "min_language_code": language[0],
        "min_language_level": language[1],
        "min_education_level": offer.min_education,
        "age_min": offer.age_min,
        "age_max": offer.age_max,
        "permit_must_allow_work": offer.permit_must_allow_work,
        "languages_of_instruction": list(offer.languages_of_instruction),
        "version": 1,
        "created_by": "bench",
    }


async def seed(
    database: str, organization: uuid.UUID, offers: int, people: int
) -> tuple[float, dict[uuid.UUID, int], list[uuid.UUID]]:
    """Import the whole ESCO, then bulk-insert offers and people; returns the import's seconds
    and the ids seeded."""
    db = create_engine(database, pool_size=2, max_overflow=0)
    try:
        started = time.perf_counter()
        await import_taxonomy(db, esco_archives())
        imported = time.perf_counter() - started
        source = pool(whole_taxonomy())
        today = datetime.now(UTC).date()
        offer_rows = [
            _offer_row(o, organization) for o in random_offers(source, offers, SEED, today)
        ]
        person_ids: list[uuid.UUID] = []
        profiles, access = [], []
        for person in random_people(source, people, SEED):
            beneficiary_id = uuid.uuid4()
            person_ids.append(beneficiary_id)
            profiles.append(
                {
                    "beneficiary_id": beneficiary_id,
                    "organization_id": organization,
                    "profile": _profile(person),
                    "updated_at": datetime.now(UTC),
                }
            )
            access.append(
                {
                    "beneficiary_id": beneficiary_id,
                    "owner_organization_id": organization,
                    "grants": [],
                    "matching_consent": True,
                    "version": 1,
                    "erased": False,
                    "updated_at": datetime.now(UTC),
                }
            )
        async with session_factory(db)() as session:
            for table, rows in (
                (Offer, offer_rows),
                (CandidateProfile, profiles),
                (beneficiary_access, access),
            ):
                for start in range(0, len(rows), 5000):
                    await session.execute(insert(table), rows[start : start + 5000])
            await bump_revision(session, OFFERS)
            await bump_revision(session, PEOPLE)
            await session.commit()
        async with db.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
        seats = {row["id"]: row["seats"] - row["seats_taken"] for row in offer_rows}
        return imported, seats, person_ids
    finally:
        await db.dispose()


def _timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return round(time.perf_counter() - started, 2)


def through_gateway(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    with database_server() as server, running_stack(server, logs) as stack:
        gateway = stack["gateway"].url
        with httpx.Client(base_url=gateway, timeout=300.0) as client:
            admin = {"Authorization": f"Bearer {admin_token(gateway)}"}
            organization, operator = organisation_with_operator(client, admin, "Bench matching")
            started = time.perf_counter()
            imported, seats_left, person_ids = asyncio.run(
                seed(
                    str(stack["matching"].env["PONTE_MATCHING_DATABASE_URL"]),
                    uuid.UUID(organization),
                    args.offers,
                    args.people,
                )
            )
            seeded = time.perf_counter() - started
            offer_ids = sorted(seats_left)
            rng = random.Random(SEED)
            people = rng.sample(person_ids, 200)
            offers = rng.sample(offer_ids, 50)

            def matches(index: int) -> None:
                client.get(
                    f"/api/v1/beneficiaries/{people[index % len(people)]}/matches",
                    headers=operator,
                ).raise_for_status()

            def candidates(index: int) -> None:
                client.get(
                    f"/api/v1/offers/{offers[index % len(offers)]}/candidates", headers=operator
                ).raise_for_status()

            def read_offer(index: int) -> None:
                client.get(
                    f"/api/v1/offers/{offers[index % len(offers)]}", headers=operator
                ).raise_for_status()

            # the largest cohort the service takes by default (more is a 422)
            cohort_offers = rng.sample(offer_ids, ALLOCATION_MAX_OFFERS)
            cohort = {
                "beneficiary_ids": [str(i) for i in rng.sample(person_ids, ALLOCATION_MAX_PEOPLE)],
                "offer_ids": [str(i) for i in cohort_offers],
            }

            def allocate() -> None:
                client.post("/api/v1/allocations", json=cohort, headers=operator).raise_for_status()

            # The first requests after the bulk seed rebuild the indexes inline; straight to the
            # service, as that can take longer than the gateway's upstream timeout.
            direct = httpx.Client(base_url=stack["matching"].url, timeout=300.0)
            with direct:
                first_match = _timed(
                    lambda: direct.get(
                        f"/api/v1/beneficiaries/{people[0]}/matches", headers=operator
                    ).raise_for_status()
                )
                first_candidates = _timed(
                    lambda: direct.get(
                        f"/api/v1/offers/{offers[0]}/candidates", headers=operator
                    ).raise_for_status()
                )
            allocation_seconds = sorted(_timed(allocate) for _ in range(3))
            ceiling = latencies(read_offer, args.samples)
            rows = {
                "seed: import the whole ESCO, then bulk-insert offers and people": {
                    "esco_import_seconds": round(imported, 1),
                    "offers": args.offers,
                    "people": args.people,
                    "seconds": round(seeded, 1),
                },
                "first match / first candidates after the seed (rebuild the indexes inline)": {
                    "match_seconds": first_match,
                    "candidates_seconds": first_candidates,
                },
                "ceiling: GET /offers/{id} (primary-key read)": ceiling,
                f"GET /beneficiaries/{{id}}/matches among {args.offers} offers": latencies(
                    matches, args.samples
                ),
                f"GET /offers/{{id}}/candidates among {args.people} people": latencies(
                    candidates, max(20, args.samples // 3)
                ),
                f"POST /allocations {ALLOCATION_MAX_PEOPLE:,} people x "
                f"{ALLOCATION_MAX_OFFERS:,} offers": {
                    "seats_left": sum(seats_left[i] for i in cohort_offers),
                    "median_seconds": allocation_seconds[1],
                    "max_seconds": allocation_seconds[2],
                },
            }
            for name in list(rows)[3:5]:
                rows[name]["p50_ratio_to_ceiling"] = round(
                    rows[name]["p50_ms"] / ceiling["p50_ms"], 2
                )
            return rows


def run(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    return {**matching_engine.run(args, logs), **through_gateway(args, logs)}
