"""The cluster dashboard's read model (migration 0015's triggers) against a recomputation from
scratch over ``referral``: after a random sequence of writes of every kind (creations in and out
of clusters, to offers and to service points, status moves, a cluster given afterwards, merges,
deletions, an erasure, residences that change, members that come and go, bulk statements), and
after concurrent writers on the same counters, both give the same counts for every cluster."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from services.matching.db import cluster_dashboard
from shared.db import create_engine, session_factory
from tests.matching.conftest import empty_cases
from tests.support import _dsn

STATUSES = ("proposed", "accepted", "rejected", "enrolled", "completed", "dropped")
PLACES = ("IT_058091", "ITI43", "XX_NOWHERE", None)  # a municipality, a region, unknown, none

# The dashboard's statement before the read model, its joins made outer so that referrals to
# service points count (under their point's kind): the oracle.
ORACLE = """
WITH member AS (SELECT organization_id FROM cluster_member WHERE cluster_id = $1),
r AS MATERIALIZED (
    SELECT r.beneficiary_id, r.organization_id AS referrer,
           r.provider_organization_id AS provider, r.status, o.type AS offer_type,
           sp.kind AS service_point_kind
    FROM referral r
    LEFT JOIN offer o ON o.id = r.offer_id
    LEFT JOIN service_point sp ON sp.id = r.service_point_id
    WHERE r.cluster_id = $1
       OR (r.cluster_id IS NULL
           AND r.organization_id IN (SELECT organization_id FROM member)
           AND r.provider_organization_id IN (SELECT organization_id FROM member))
),
network AS (
    SELECT referrer, provider, offer_type, service_point_kind, count(*) AS referrals
    FROM r GROUP BY 1, 2, 3, 4
),
outcome AS (
    SELECT referrer AS organization_id, 'as_referrer' AS side, status, count(*) AS referrals
    FROM r WHERE status IN ('enrolled', 'completed', 'dropped') GROUP BY 1, 3
    UNION ALL
    SELECT provider, 'as_provider', status, count(*)
    FROM r WHERE status IN ('enrolled', 'completed', 'dropped') GROUP BY 1, 3
),
reach AS (
    SELECT organization_id, count(*) AS people
    FROM (SELECT referrer AS organization_id, beneficiary_id FROM r
          UNION SELECT provider, beneficiary_id FROM r) AS reached
    GROUP BY 1
),
person AS (
    SELECT beneficiary_id,
           count(*) FILTER (WHERE status = 'enrolled') AS enrolled,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'dropped') AS dropped
    FROM r GROUP BY 1
),
place AS (
    SELECT coalesce(CASE WHEN t.level = 4 THEN t.parent_code ELSE t.code END,
                    p.territory_code, 'unknown') AS territory_code,
           count(*) AS people, sum(person.enrolled) AS enrolled,
           sum(person.completed) AS completed, sum(person.dropped) AS dropped
    FROM person
    LEFT JOIN candidate_profile p ON p.beneficiary_id = person.beneficiary_id
    LEFT JOIN territory t ON t.code = p.territory_code
    GROUP BY 1
)
SELECT json_build_object(
    'network', (SELECT coalesce(json_agg(network), '[]'::json) FROM network),
    'reach', (SELECT coalesce(json_agg(reach), '[]'::json) FROM reach),
    'outcomes', (SELECT coalesce(json_agg(outcome), '[]'::json) FROM outcome),
    'territories', (SELECT coalesce(json_agg(place), '[]'::json) FROM place)
)
"""


def _normal(counts: dict[str, list[dict[str, Any]]]) -> dict[str, dict[tuple[Any, ...], Any]]:
    """Each list as a mapping from its keys to its counts (order and zeros aside)."""
    return {
        "network": {
            (r["referrer"], r["provider"], r["offer_type"], r["service_point_kind"]): r["referrals"]
            for r in counts["network"]
        },
        "reach": {(r["organization_id"],): r["people"] for r in counts["reach"]},
        "outcomes": {
            (r["organization_id"], r["side"], r["status"]): r["referrals"]
            for r in counts["outcomes"]
        },
        "territories": {
            (r["territory_code"],): (r["people"], r["enrolled"], r["completed"], r["dropped"])
            for r in counts["territories"]
        },
    }


class Scene:
    """Organisations, two overlapping clusters, offers and service points, people with homes."""

    def __init__(self, connection: asyncpg.Connection, rng: random.Random) -> None:
        self.db, self.rng = connection, rng
        self.orgs = [uuid.uuid4() for _ in range(6)]
        self.clusters = [uuid.uuid4(), uuid.uuid4()]
        self.people = [uuid.uuid4() for _ in range(12)]
        self.offers: list[uuid.UUID] = []
        self.points: list[uuid.UUID] = []

    async def build(self) -> None:
        for n, cluster in enumerate(self.clusters):
            await self.db.execute(
                "INSERT INTO cluster (id, name, territory_codes, status, "
                "coordinator_organization_id, sector_focus, version, created_by) "
                "VALUES ($1, $2, '{ITI43}', 'active', $3, '{}', 1, 'test')",
                cluster,
                f"read model {cluster.hex[:6]}",
                self.orgs[2 * n],
            )
            for org in self.orgs[2 * n : 2 * n + 4]:  # orgs 2 and 3 belong to both
                await self.member(cluster, org)
        for n in range(6):
            offer = uuid.uuid4()
            await self.db.execute(
                "INSERT INTO offer (id, organization_id, type, title, status, seats, seats_taken, "
                "cluster_ids, required_skills, preferred_skills, languages_of_instruction, "
                "permit_must_allow_work, version, created_by) VALUES ($1, $2, $3, 'x', 'open', "
                "99, 0, '{}', '{}', '{}', '{}', false, 1, 'test')",
                offer,
                self.orgs[n],
                ("training", "job", "internship")[n % 3],
            )
            self.offers.append(offer)
        for n in range(3):
            point = uuid.uuid4()
            await self.db.execute(
                "INSERT INTO service_point (id, organization_id, name, kind, need_domains, tier, "
                "territory_code, access_mode, status, transport_access, cultural_mediators, "
                "documents_required, version, created_by) VALUES ($1, $2, 'p', $3, '{}', "
                "'low_threshold', 'IT_058091', 'drop_in', 'active', '[]', false, false, 1, 'test')",
                point,
                self.orgs[2 * n + 1],
                ("legal_aid", "health")[n % 2],
            )
            self.points.append(point)
        for person in self.people:
            await self.home(person, self.rng.choice(PLACES))

    async def member(self, cluster: uuid.UUID, org: uuid.UUID) -> None:
        await self.db.execute(
            "INSERT INTO cluster_member (cluster_id, organization_id, roles, joined_on, version) "
            "VALUES ($1, $2, '{training_provider}', '2026-01-01', 1) ON CONFLICT DO NOTHING",
            cluster,
            org,
        )

    async def home(self, person: uuid.UUID, code: str | None) -> None:
        await self.db.execute(
            "INSERT INTO candidate_profile (beneficiary_id, organization_id, profile, "
            "territory_code, updated_at) VALUES ($1, $2, '{}', $3, now()) "
            "ON CONFLICT (beneficiary_id) DO UPDATE SET territory_code = excluded.territory_code",
            person,
            self.orgs[0],
            code,
        )

    def referral_row(self) -> tuple[Any, ...]:
        rng = self.rng
        to_point = rng.random() < 0.3
        n = rng.randrange(len(self.points) if to_point else len(self.offers))
        target = self.points[n] if to_point else self.offers[n]
        provider = self.orgs[2 * n + 1] if to_point else self.orgs[n]  # as ``build`` made them
        return (
            uuid.uuid4(),
            rng.choice(self.people),
            None if to_point else target,
            target if to_point else None,
            rng.choice(self.orgs),
            provider,
            rng.choice([None, None, *self.clusters]),
            rng.choice(STATUSES),
        )

    async def insert(self, rows: list[tuple[Any, ...]], *, quiet: bool = True) -> None:
        """One statement for all the rows (a bulk write); a duplicate active one is skipped
        (``quiet``) or raised."""
        try:
            await self.db.execute(
                "INSERT INTO referral (id, beneficiary_id, offer_id, service_point_id, "
                "organization_id, provider_organization_id, cluster_id, status, history, "
                "version, created_by) SELECT id, b, o, s, org, p, c, st, '[]', 1, 'test' FROM "
                "unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], "
                "$7::uuid[], $8::text[]) AS u(id, b, o, s, org, p, c, st)",
                *(list(column) for column in zip(*rows, strict=True)),
            )
        except asyncpg.UniqueViolationError:
            if not quiet:
                raise

    async def step(self) -> None:
        """One random write (one that would make a second active referral is refused whole)."""
        try:
            await self._step()
        except asyncpg.UniqueViolationError:
            pass

    async def _step(self) -> None:
        rng, db = self.rng, self.db
        ids = [row["id"] for row in await db.fetch("SELECT id FROM referral ORDER BY id")]
        kind = rng.choice(
            ("create",) * 6
            + ("bulk", "move", "move", "move", "cluster", "delete", "merge")
            + ("home", "home", "leave_home", "join", "leave", "touch")
        )
        if kind == "create" or not ids:
            await self.insert([self.referral_row()])
        elif kind == "bulk":
            await self.insert([self.referral_row() for _ in range(rng.randint(2, 8))])
        elif kind == "move":
            await db.execute(
                "UPDATE referral SET status = $2, version = version + 1 WHERE id = $1",
                rng.choice(ids),
                rng.choice(STATUSES),
            )
        elif kind == "cluster":
            await db.execute(
                "UPDATE referral SET cluster_id = $2 WHERE id = $1",
                rng.choice(ids),
                rng.choice([None, *self.clusters]),
            )
        elif kind == "delete":
            await db.execute("DELETE FROM referral WHERE id = $1", rng.choice(ids))
        elif kind == "merge":  # the merged record's referrals become the survivor's
            merged, survivor = rng.sample(self.people, 2)
            await db.execute(
                "UPDATE referral SET beneficiary_id = $2 WHERE beneficiary_id = $1",
                merged,
                survivor,
            )
        elif kind == "home":
            await self.home(rng.choice(self.people), rng.choice(PLACES))
        elif kind == "leave_home":
            await db.execute(
                "DELETE FROM candidate_profile WHERE beneficiary_id = $1", rng.choice(self.people)
            )
        elif kind == "join":
            await self.member(rng.choice(self.clusters), rng.choice(self.orgs))
        elif kind == "leave":
            await db.execute(
                "DELETE FROM cluster_member WHERE cluster_id = $1 AND organization_id = $2",
                rng.choice(self.clusters),
                rng.choice(self.orgs),
            )
        else:  # a write the dashboard does not count by: nothing moves
            await db.execute("UPDATE referral SET note = 'n' WHERE id = $1", rng.choice(ids))

    async def erase(self, person: uuid.UUID) -> None:
        """As ``consumers.on_erased``: the profile goes, the referrals end and lose their text,
        in one transaction."""
        async with self.db.transaction():
            await self.db.execute("DELETE FROM candidate_profile WHERE beneficiary_id = $1", person)
            await self.db.execute(
                "UPDATE referral SET status = 'dropped', note = NULL, person_card = NULL "
                "WHERE beneficiary_id = $1 AND status IN ('proposed', 'accepted', 'enrolled')",
                person,
            )


@pytest.fixture
async def scene(matching_database: str) -> AsyncIterator[tuple[Scene, str]]:
    await empty_cases(matching_database)
    connection = await asyncpg.connect(_dsn(matching_database))
    try:
        built = Scene(connection, random.Random(15))
        await built.build()
        yield built, matching_database
    finally:
        await connection.close()


async def _agree(scene: Scene, url: str) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with session_factory(engine)() as session:
            for cluster in scene.clusters:
                expected = json.loads(await scene.db.fetchval(ORACLE, cluster))
                expected = json.loads(json.dumps(expected, default=str))
                found = json.loads(
                    json.dumps(await cluster_dashboard.counts(session, cluster), default=str)
                )
                assert _normal(found) == _normal(expected), cluster
    finally:
        await engine.dispose()


async def test_the_read_model_equals_a_recomputation_after_random_writes(
    scene: tuple[Scene, str],
) -> None:
    world, url = scene
    for n in range(240):
        await world.step()
        if n % 60 == 59:
            await _agree(world, url)
    await world.erase(world.people[0])
    await _agree(world, url)
    counted = await world.db.fetchval("SELECT count(*) FROM cluster_dashboard_network")
    assert counted > 0  # the scene did put referrals in the clusters


async def test_concurrent_writers_on_the_same_counters_stay_exact(
    scene: tuple[Scene, str],
) -> None:
    """Eight connections create and move referrals of the same people between the same members
    at once (hot counters, zero crossings), while residences change: no deadlock, exact counts."""
    world, url = scene

    async def writer(seed: int) -> None:
        connection = await asyncpg.connect(_dsn(url))
        rng = random.Random(seed)
        mine = Scene(connection, rng)
        mine.__dict__.update({k: world.__dict__[k] for k in ("orgs", "clusters", "people")})
        mine.offers, mine.points = world.offers, world.points
        try:
            for _ in range(20):
                # One write per transaction, as the API's paths make them.
                try:
                    if rng.random() < 0.5:
                        await mine.insert([mine.referral_row()], quiet=False)
                    elif rng.random() < 0.8:
                        await connection.execute(
                            "UPDATE referral SET status = $1 WHERE id = (SELECT id FROM referral "
                            "ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED)",
                            rng.choice(STATUSES),
                        )
                    else:
                        await mine.home(rng.choice(mine.people), rng.choice(PLACES))
                except asyncpg.UniqueViolationError:
                    pass  # a second active referral: refused
        finally:
            await connection.close()

    await asyncio.gather(*(writer(seed) for seed in range(8)))
    await _agree(world, url)
