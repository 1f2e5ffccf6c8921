"""Suite ``pathways``: 20,000 pathways with 10 steps each (``--pathways``) among 100,000 people,
seeded straight into the pathways database with bulk statements (posting 200,000 steps through
the API would take the benchmark half an hour and measure nothing new), then, through the
gateway: one operator's caseload, one step post, the indicators over all pathways and two
cross-tabulated tables of them, protected (a platform admin's view; issue 18's goal: p95 within
1 s)."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.dialects.postgresql import insert

from bench.stack import (
    admin_token,
    database_server,
    latencies,
    organisation_with_operator,
    running_stack,
)
from services.pathways.db.models import (
    Action,
    EmploymentChange,
    FollowUp,
    Pathway,
    Person,
    RightsViolation,
    Step,
    beneficiary_access,
)
from shared.db import create_engine

OPERATORS = 100
KINDS = [
    "assess",
    "respond",
    "monitor",
    "monitor",
    "adjust",
    "verify_rights",
    "assess",
    "respond",
    "monitor",
    "monitor",
]
LADDER = ["informal", "undeclared", "unemployed_seeking", "precarious_formal", "formal_employment"]
NEEDS = ["documents_legal", "housing", "health", "language", "employment"]
NATIONALITIES = ["MA", "EG", "NG", "PK", "BD", "UA", "AF", "SN", "TN", "GH", "PE", "AL", "CN", "SY"]
MUNICIPALITIES = [f"Comune {number}" for number in range(40)] + ["Roma", "Latina", "Napoli"]
# People known to pathways (registered, shared) beside those with a pathway: the cross-tab's
# table is of the people reached, read among all of them.
PEOPLE = 100_000
# Every pathway seeded (opened up to 700 days ago), within a report's longest period (1830 days).
SINCE = (date.today() - timedelta(days=1800)).isoformat()
CROSSTABS = {
    "sex x age band x arrival band": "sex,age_band,arrival_band",
    "nationality group x municipality": "nationality_group,municipality",
}


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> list[list[dict[str, Any]]]:
    return [rows[index : index + size] for index in range(0, len(rows), size)]


def _person(
    rng: random.Random, beneficiary: uuid.UUID, organization: uuid.UUID, seen: datetime
) -> dict[str, Any]:
    """Pathways' row of a person, as intake's events would have written it."""
    return {
        "beneficiary_id": beneficiary,
        "organization_id": organization,
        "sex": rng.choice(["female", "male"]),
        "nationality": rng.choice(NATIONALITIES),
        "birth_year": rng.randint(1970, 2006),
        "arrival_month": date(rng.randint(2015, seen.year - 1), rng.randint(1, 12), 1),
        "municipality": rng.choice(MUNICIPALITIES),
        "updated_at": seen,
    }


async def seed(
    database: str,
    organization: uuid.UUID,
    operator: str,
    count: int,
    beneficiaries: list[uuid.UUID] | None = None,
) -> None:
    """``count`` pathways, each of a new person, or of ``beneficiaries`` (people registered
    through intake, whose rows in pathways its events may have written first: kept)."""
    rng = random.Random(20)
    today = date.today()
    operators = [operator] + [str(uuid.uuid4()) for _ in range(OPERATORS - 1)]
    people, access, pathways, steps, actions, ladder, follow_ups, violations = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for index in range(count):
        beneficiary = beneficiaries[index] if beneficiaries else uuid.uuid4()
        pathway = uuid.uuid4()
        opened = datetime.now(UTC) - timedelta(days=rng.randint(30, 700))
        people.append(
            _person(rng, beneficiary, organization, opened)
            | {"permit_expires_on": today + timedelta(days=rng.randint(-30, 700))}
        )
        access.append(
            {
                "beneficiary_id": beneficiary,
                "owner_organization_id": organization,
                "grants": [],
                "matching_consent": False,
                "version": 1,
                "erased": False,
                "updated_at": opened,
            }
        )
        violated = rng.random() < 0.1
        pathways.append(
            {
                "id": pathway,
                "beneficiary_id": beneficiary,
                "organization_id": organization,
                "assigned_to": operators[index % OPERATORS],
                "status": "open",
                "stage": "monitor",
                "cycle": 2,
                "priority_need": rng.choice(NEEDS),
                "priority_reason": "seeded",
                "employment_status": rng.choice(LADDER),
                "urgent": violated and rng.random() < 0.5,
                "open_rights_violations": int(violated),
                "next_monitoring_due": today + timedelta(days=rng.randint(-20, 30)),
                "next_action_due": today + timedelta(days=rng.randint(-10, 60)),
                "plan_version": 3,
                "version": 12,
                "opened_at": opened,
                "opened_by": operators[index % OPERATORS],
                "updated_at": opened,
            }
        )
        for number, kind in enumerate(KINDS):
            steps.append(
                {
                    "pathway_id": pathway,
                    "cycle": 1 if number < 6 else 2,
                    "kind": kind,
                    "body": {"seeded": True},
                    "recorded_at": opened + timedelta(days=number * 7),
                    "recorded_by": operators[index % OPERATORS],
                }
            )
        for number in range(2):
            actions.append(
                {
                    "id": uuid.uuid4(),
                    "pathway_id": pathway,
                    "type": rng.choice(["legal_aid", "language_course", "job_placement"]),
                    "title": "seeded",
                    "status": rng.choice(["planned", "in_progress", "done"]),
                    "created_in_cycle": number + 1,
                    "version": 1,
                    "created_at": opened,
                    "created_by": operators[index % OPERATORS],
                    "updated_at": opened,
                    "due_date": today + timedelta(days=rng.randint(-10, 60)),
                }
            )
        path = rng.sample(LADDER, 2)
        for number, status in enumerate(path):
            ladder.append(
                {
                    "pathway_id": pathway,
                    "status": status,
                    "effective_on": (opened + timedelta(days=number * 60)).date(),
                }
            )
        if path[-1] == "formal_employment":
            placed = (opened + timedelta(days=60)).date()
            for months in (3, 6, 12):
                follow_ups.append(
                    {
                        "id": uuid.uuid4(),
                        "pathway_id": pathway,
                        "months": months,
                        "placed_on": placed,
                        "due_on": placed + timedelta(days=30 * months),
                        "still_in_work": rng.random() < 0.7 if rng.random() < 0.8 else None,
                    }
                )
        if violated:
            violations.append(
                {
                    "id": uuid.uuid4(),
                    "pathway_id": pathway,
                    "item": rng.choice(["withholding_of_wages", "written_contract"]),
                    "forced_labour": False,
                    "action_ids": [],
                    "detected_at": opened,
                    "detected_in_cycle": 1,
                }
            )
    for _ in range(max(0, PEOPLE - count) if beneficiaries is None else 0):
        people.append(_person(rng, uuid.uuid4(), organization, datetime.now(UTC)))
    engine = create_engine(database, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as connection:
            targets: tuple[tuple[Any, list[dict[str, Any]]], ...] = (
                (Person, people),
                (beneficiary_access, access),
                (Pathway, pathways),
                (Step, steps),
                (Action, actions),
                (EmploymentChange, ladder),
                (FollowUp, follow_ups),
                (RightsViolation, violations),
            )
            for table, rows in targets:
                for chunk in _chunks(rows):
                    await connection.execute(insert(table).on_conflict_do_nothing(), chunk)
            await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


def run(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    with database_server() as server, running_stack(server, logs) as stack:
        gateway = stack["gateway"].url
        with httpx.Client(base_url=gateway, timeout=120.0) as client:
            admin = {"Authorization": f"Bearer {admin_token(gateway)}"}
            organization, operator = organisation_with_operator(client, admin, "Bench pathways")
            me = client.get("/api/v1/auth/me", headers=operator).json()["subject"]
            started = time.perf_counter()
            asyncio.run(
                seed(
                    str(stack["pathways"].env["PONTE_PATHWAYS_DATABASE_URL"]),
                    uuid.UUID(organization),
                    me,
                    args.pathways,
                )
            )
            seeded = time.perf_counter() - started
            mine = client.get(
                "/api/v1/pathways", params={"assigned_to": "me", "limit": 200}, headers=operator
            ).json()["items"]

            def caseload(_index: int) -> None:
                client.get(
                    "/api/v1/pathways",
                    params={"assigned_to": "me", "overdue": "true"},
                    headers=operator,
                ).raise_for_status()

            def post_step(index: int) -> None:
                pathway = mine[index % len(mine)]["id"]
                client.post(
                    f"/api/v1/pathways/{pathway}/monitoring",
                    json={"notes": "bench follow-up"},
                    headers=operator,
                ).raise_for_status()

            def indicators(_index: int) -> None:
                client.get(
                    "/api/v1/reports/indicators", params={"date_from": SINCE}, headers=admin
                ).raise_for_status()

            def crosstab(by: str) -> Callable[[int], None]:
                def read(_index: int) -> None:
                    client.get(
                        "/api/v1/reports/indicators",
                        params={"date_from": SINCE, "by": by},
                        headers=admin,
                    ).raise_for_status()

                return read

            samples = max(10, args.samples // 15)
            return {
                "seed (bulk insert into the pathways database)": {
                    "people": max(PEOPLE, args.pathways),
                    "pathways": args.pathways,
                    "steps": args.pathways * len(KINDS),
                    "seconds": round(seeded, 1),
                },
                "caseload of one operator (GET /pathways?assigned_to=me&overdue=true)": {
                    "pathways_assigned": len(mine),
                    **latencies(caseload, args.samples),
                },
                "one step post (POST /pathways/{id}/monitoring)": latencies(
                    post_step, args.samples
                ),
                "indicators over all pathways (platform admin)": latencies(indicators, samples),
                **{
                    f"cross-tab {name}, protected (platform admin)": latencies(
                        crosstab(by), samples
                    )
                    for name, by in CROSSTABS.items()
                },
            }
