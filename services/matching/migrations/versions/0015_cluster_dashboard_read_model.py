"""the cluster dashboard's read model: counters per cluster kept exact by triggers, backfilled

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 16:30:00

Why triggers: referrals are written by the API (creation, moves), by event consumers (consent
withdrawal, erasure, merge: ``UPDATE ... SET beneficiary_id``), by sweeps, by bulk loads (the
benchmark, tests) and possibly by hand; a trigger sees every one of them, deletes included. The
triggers are statement-level with transition tables, so a bulk write is counted set-wise in a few
statements, and a single-row write costs a handful of index upserts.

What they keep (``db/dashboard_tables.py``): for each cluster, its referrals (made in it, or made
in no cluster between two of its members, former ones included) counted per referrer, provider and
target; per organisation, side and outcome; per organisation and person (a reference count, whose
moves across zero keep the distinct people per organisation); per person (a reference count and
outcomes, whose moves keep people and outcomes per residence code).

Exact under concurrency (READ COMMITTED, the services' level): every upsert adds a delta under the
row's lock and answers the new value, so a crossing of zero is seen by exactly one writer. What a
statement cannot see, a lock orders; a trigger takes its locks in one statement and reads in the
next (a fresh snapshot):
- the advisory lock (15015, 0) is shared by every referral and profile write, and exclusive while
  a membership change counts (a referral in no cluster counts where both sides are members: one
  written during the change would be missed by both);
- a referral write locks its people's profiles FOR SHARE (in order) before it counts them by
  residence, and a change of residence holds the profile's row lock: whichever comes second sees
  what the first one counted. A profile created while a referral of a person who had none is being
  written is not ordered so: through the API a referral needs the person's profile.
A member that joins or leaves adds or takes away its referrals in no cluster with the others.
"""

# The statements are put together from this file's constants only (no input): not an injection.
# ruff: noqa: S608

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    "cluster_dashboard_network",
    "cluster_dashboard_outcome",
    "cluster_dashboard_reach_pair",
    "cluster_dashboard_reach",
    "cluster_dashboard_person",
    "cluster_dashboard_place",
)
_COLUMNS = (
    "beneficiary_id, organization_id, provider_organization_id, cluster_id, offer_id, "
    "service_point_id, status"
)
_CHANGED = (
    "o.id = n.id AND (o.beneficiary_id, o.organization_id, o.provider_organization_id, "
    "o.cluster_id, o.offer_id, o.service_point_id, o.status) IS DISTINCT FROM (n.beneficiary_id, "
    "n.organization_id, n.provider_organization_id, n.cluster_id, n.offer_id, "
    "n.service_point_id, n.status)"
)
_OLD = ", ".join(f"o.{c.strip()}" for c in _COLUMNS.split(","))
_NEW = ", ".join(f"n.{c.strip()}" for c in _COLUMNS.split(","))
# The referrals a statement changed, each with +1 or -1 (an update: its old row out, its new one in,
# only when a column the dashboard counts by changed).
_REFERRAL_DELTAS = {
    "insert": f"SELECT {_COLUMNS}, 1 AS sign FROM new_rows",
    "delete": f"SELECT {_COLUMNS}, -1 AS sign FROM old_rows",
    "update": f"SELECT {_OLD}, -1 AS sign FROM old_rows o JOIN new_rows n ON {_CHANGED} "
    f"UNION ALL SELECT {_NEW}, 1 FROM old_rows o JOIN new_rows n ON {_CHANGED}",
}
# Each delta in every cluster it counts for (``cid``).
_EXPANDED = """
    SELECT s.cluster_id AS cid, s.* FROM ({deltas}) AS s WHERE s.cluster_id IS NOT NULL
    UNION ALL
    SELECT a.cluster_id, s.* FROM ({deltas}) AS s
    JOIN cluster_member a ON a.organization_id = s.organization_id
    JOIN cluster_member b ON b.cluster_id = a.cluster_id
                         AND b.organization_id = s.provider_organization_id
    WHERE s.cluster_id IS NULL"""
# One cluster's referrals, from scratch (the backfill and a membership change).
_OF_CLUSTER = f"""
    SELECT c AS cid, {_COLUMNS}, 1 AS sign FROM referral WHERE cluster_id = c
    UNION ALL
    SELECT c, {_COLUMNS}, 1 FROM referral
    WHERE cluster_id IS NULL
      AND organization_id IN (SELECT organization_id FROM cluster_member WHERE cluster_id = c)
      AND provider_organization_id IN (
          SELECT organization_id FROM cluster_member WHERE cluster_id = c)"""
_OUTCOMES = "('enrolled', 'completed', 'dropped')"
# Adds the deltas ``x`` to every counter. Rows are upserted in key order (no deadlock between two
# writers); a counter whose delta is zero is not touched (no lock taken on a hot row for nothing).
_APPLY = f"""
WITH x AS MATERIALIZED ({{x}}),
network AS (
    INSERT INTO cluster_dashboard_network AS t
        (cluster_id, referrer_id, provider_id, target_id, to_service_point, referrals)
    SELECT cid, organization_id, provider_organization_id, coalesce(offer_id, service_point_id),
           bool_or(offer_id IS NULL), sum(sign)
    FROM x GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (cluster_id, referrer_id, provider_id, target_id)
    DO UPDATE SET referrals = t.referrals + excluded.referrals
),
sides AS MATERIALIZED (
    SELECT cid, organization_id AS org, 'as_referrer' AS side, beneficiary_id, status, sign FROM x
    UNION ALL
    SELECT cid, provider_organization_id, 'as_provider', beneficiary_id, status, sign FROM x
),
outcome AS (
    INSERT INTO cluster_dashboard_outcome AS t (cluster_id, organization_id, side, status, referrals)
    SELECT cid, org, side, status, sum(sign) FROM sides WHERE status IN {_OUTCOMES}
    GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (cluster_id, organization_id, side, status)
    DO UPDATE SET referrals = t.referrals + excluded.referrals
),
pair_delta AS MATERIALIZED (
    SELECT cid, org, beneficiary_id, sum(sign)::int AS d FROM sides
    GROUP BY 1, 2, 3 HAVING sum(sign) <> 0
),
pair AS (
    INSERT INTO cluster_dashboard_reach_pair AS t
        (cluster_id, organization_id, beneficiary_id, referrals)
    SELECT cid, org, beneficiary_id, d FROM pair_delta ORDER BY 1, 2, 3
    ON CONFLICT (cluster_id, organization_id, beneficiary_id)
    DO UPDATE SET referrals = t.referrals + excluded.referrals
    RETURNING cluster_id, organization_id, beneficiary_id, referrals
),
reach AS (
    INSERT INTO cluster_dashboard_reach AS t (cluster_id, organization_id, people)
    SELECT * FROM (
        SELECT p.cluster_id, p.organization_id,
               sum((p.referrals > 0)::int - (p.referrals - d.d > 0)::int) AS people
        FROM pair p JOIN pair_delta d ON (d.cid, d.org, d.beneficiary_id)
                                       = (p.cluster_id, p.organization_id, p.beneficiary_id)
        GROUP BY 1, 2) AS moved
    WHERE people <> 0 ORDER BY 1, 2
    ON CONFLICT (cluster_id, organization_id) DO UPDATE SET people = t.people + excluded.people
),
person_delta AS MATERIALIZED (
    SELECT * FROM (
        SELECT cid, beneficiary_id, sum(sign)::int AS d,
               coalesce(sum(sign) FILTER (WHERE status = 'enrolled'), 0)::int AS enrolled,
               coalesce(sum(sign) FILTER (WHERE status = 'completed'), 0)::int AS completed,
               coalesce(sum(sign) FILTER (WHERE status = 'dropped'), 0)::int AS dropped
        FROM x GROUP BY 1, 2) AS moved
    WHERE (d, enrolled, completed, dropped) <> (0, 0, 0, 0)
),
person AS (
    INSERT INTO cluster_dashboard_person AS t
        (cluster_id, beneficiary_id, referrals, enrolled, completed, dropped)
    SELECT * FROM person_delta ORDER BY 1, 2
    ON CONFLICT (cluster_id, beneficiary_id) DO UPDATE SET
        referrals = t.referrals + excluded.referrals, enrolled = t.enrolled + excluded.enrolled,
        completed = t.completed + excluded.completed, dropped = t.dropped + excluded.dropped
    RETURNING cluster_id, beneficiary_id, referrals
)
INSERT INTO cluster_dashboard_place AS t
    (cluster_id, territory_code, people, enrolled, completed, dropped)
SELECT * FROM (
    SELECT p.cluster_id, coalesce(cp.territory_code, '') AS code,
           sum((p.referrals > 0)::int - (p.referrals - d.d > 0)::int) AS people,
           sum(d.enrolled) AS enrolled, sum(d.completed) AS completed, sum(d.dropped) AS dropped
    FROM person p
    JOIN person_delta d ON (d.cid, d.beneficiary_id) = (p.cluster_id, p.beneficiary_id)
    LEFT JOIN candidate_profile cp ON cp.beneficiary_id = p.beneficiary_id
    GROUP BY 1, 2) AS moved
WHERE (people, enrolled, completed, dropped) <> (0, 0, 0, 0) ORDER BY 1, 2
ON CONFLICT (cluster_id, territory_code) DO UPDATE SET
    people = t.people + excluded.people, enrolled = t.enrolled + excluded.enrolled,
    completed = t.completed + excluded.completed, dropped = t.dropped + excluded.dropped
"""
_LOCK = """
CREATE FUNCTION cluster_dashboard_lock(people uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(15015, 0);
    PERFORM FROM candidate_profile WHERE beneficiary_id = ANY(people)
    ORDER BY beneficiary_id FOR SHARE;
END $$
"""
_REBUILD = f"""
CREATE FUNCTION cluster_dashboard_rebuild(c uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(15015, 0);
    {" ".join(f"DELETE FROM {table} WHERE cluster_id = c;" for table in _TABLES)}
    {_APPLY.format(x=_OF_CLUSTER)};
END $$
"""
_ON_REFERRAL = """
CREATE FUNCTION cluster_dashboard_on_referral_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS ({deltas}) THEN
        RETURN NULL;
    END IF;
    PERFORM cluster_dashboard_lock(ARRAY(SELECT DISTINCT beneficiary_id FROM ({deltas}) AS s));
    {apply};
    RETURN NULL;
END $$
"""
_R = ", ".join(f"r.{c.strip()}" for c in _COLUMNS.split(","))
# A member that joins (leaves) adds (takes away) the referrals made in no cluster between it and the
# cluster's members, itself included: those with a side among the changed members and both among
# the members after the join (before the leave). Under the exclusive lock, read in a new statement.
_MEMBERSHIPS = {
    "insert": ("new_rows", 1, "cluster_member"),
    "delete": (
        "old_rows",
        -1,
        "(SELECT cluster_id, organization_id FROM cluster_member "
        "UNION ALL SELECT cluster_id, organization_id FROM old_rows)",
    ),
}
_JOINED = f"""
    SELECT c.cid, {_R}, {{sign}} AS sign
    FROM (SELECT DISTINCT cluster_id AS cid FROM {{changed}}) AS c
    JOIN referral r ON r.cluster_id IS NULL
    WHERE (r.organization_id IN (SELECT organization_id FROM {{changed}} WHERE cluster_id = c.cid)
           OR r.provider_organization_id IN (
               SELECT organization_id FROM {{changed}} WHERE cluster_id = c.cid))
      AND r.organization_id IN (SELECT organization_id FROM {{members}} AS m
                                WHERE m.cluster_id = c.cid)
      AND r.provider_organization_id IN (SELECT organization_id FROM {{members}} AS m
                                         WHERE m.cluster_id = c.cid)"""
_ON_MEMBERSHIP = """
CREATE FUNCTION cluster_dashboard_on_member_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(15015, 0);
    {apply};
    RETURN NULL;
END $$
"""
# A membership moved to another cluster or organisation (no API does it): both clusters rebuilt.
_MOVED_MEMBERS = (
    "SELECT cluster_id FROM ((SELECT cluster_id, organization_id FROM old_rows "
    "EXCEPT SELECT cluster_id, organization_id FROM new_rows) UNION (SELECT cluster_id, "
    "organization_id FROM new_rows EXCEPT SELECT cluster_id, organization_id FROM old_rows)) AS m "
    "GROUP BY cluster_id"
)
_ON_MEMBER_UPDATE = f"""
CREATE FUNCTION cluster_dashboard_on_member_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c uuid;
BEGIN
    FOR c IN {_MOVED_MEMBERS} ORDER BY 1 LOOP
        PERFORM cluster_dashboard_rebuild(c);
    END LOOP;
    RETURN NULL;
END $$
"""
# A residence that changes, appears (a new profile) or goes ('' : no profile), per person.
_CODE = "coalesce(territory_code, '')"
_MOVES = {
    "insert": f"SELECT beneficiary_id, '' AS code, -1 AS sign FROM new_rows "
    f"UNION ALL SELECT beneficiary_id, {_CODE}, 1 FROM new_rows",
    "delete": f"SELECT beneficiary_id, {_CODE} AS code, -1 AS sign FROM old_rows "
    f"UNION ALL SELECT beneficiary_id, '', 1 FROM old_rows",
    "update": f"SELECT beneficiary_id, {_CODE} AS code, -1 AS sign FROM old_rows "
    f"UNION ALL SELECT beneficiary_id, {_CODE}, 1 FROM new_rows",
}
_ON_PROFILE = """
CREATE FUNCTION cluster_dashboard_on_profile_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS ({moved}) THEN
        RETURN NULL;
    END IF;
    PERFORM cluster_dashboard_lock('{{}}');  -- its own rows are locked by the write
    INSERT INTO cluster_dashboard_place AS t
        (cluster_id, territory_code, people, enrolled, completed, dropped)
    SELECT * FROM (
        SELECT p.cluster_id, m.code, sum(m.sign * (p.referrals > 0)::int) AS people,
               sum(m.sign * p.enrolled) AS enrolled, sum(m.sign * p.completed) AS completed,
               sum(m.sign * p.dropped) AS dropped
        FROM ({moved}) AS m JOIN cluster_dashboard_person p ON p.beneficiary_id = m.beneficiary_id
        GROUP BY 1, 2) AS d
    WHERE (people, enrolled, completed, dropped) <> (0, 0, 0, 0) ORDER BY 1, 2
    ON CONFLICT (cluster_id, territory_code) DO UPDATE SET
        people = t.people + excluded.people, enrolled = t.enrolled + excluded.enrolled,
        completed = t.completed + excluded.completed, dropped = t.dropped + excluded.dropped;
    RETURN NULL;
END $$
"""
_TRANSITION = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
_WATCHED = {"referral": "referral", "cluster_member": "member", "candidate_profile": "profile"}


def _uuid(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Uuid(), nullable=False)


def _count(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "cluster_dashboard_network",
        *map(_uuid, ("cluster_id", "referrer_id", "provider_id", "target_id")),
        sa.Column("to_service_point", sa.Boolean(), nullable=False),
        _count("referrals"),
        sa.PrimaryKeyConstraint("cluster_id", "referrer_id", "provider_id", "target_id"),
    )
    op.create_table(
        "cluster_dashboard_outcome",
        *map(_uuid, ("cluster_id", "organization_id")),
        sa.Column("side", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        _count("referrals"),
        sa.PrimaryKeyConstraint("cluster_id", "organization_id", "side", "status"),
    )
    op.create_table(
        "cluster_dashboard_reach_pair",
        *map(_uuid, ("cluster_id", "organization_id", "beneficiary_id")),
        _count("referrals"),
        sa.PrimaryKeyConstraint("cluster_id", "organization_id", "beneficiary_id"),
    )
    op.create_table(
        "cluster_dashboard_reach",
        *map(_uuid, ("cluster_id", "organization_id")),
        _count("people"),
        sa.PrimaryKeyConstraint("cluster_id", "organization_id"),
    )
    op.create_table(
        "cluster_dashboard_person",
        *map(_uuid, ("cluster_id", "beneficiary_id")),
        *map(_count, ("referrals", "enrolled", "completed", "dropped")),
        sa.PrimaryKeyConstraint("cluster_id", "beneficiary_id"),
    )
    op.create_index(
        "ix_cluster_dashboard_person_beneficiary", "cluster_dashboard_person", ["beneficiary_id"]
    )
    op.create_table(
        "cluster_dashboard_place",
        _uuid("cluster_id"),
        sa.Column("territory_code", sa.String(length=40), nullable=False),
        *map(_count, ("people", "enrolled", "completed", "dropped")),
        sa.PrimaryKeyConstraint("cluster_id", "territory_code"),
    )
    op.execute(_LOCK)
    op.execute(_REBUILD)
    for event, deltas in _REFERRAL_DELTAS.items():
        expanded = _EXPANDED.format(deltas=deltas)
        op.execute(_ON_REFERRAL.format(event=event, deltas=deltas, apply=_APPLY.format(x=expanded)))
    for event, (changed, sign, members) in _MEMBERSHIPS.items():
        joined = _JOINED.format(changed=changed, sign=sign, members=members)
        op.execute(_ON_MEMBERSHIP.format(event=event, apply=_APPLY.format(x=joined)))
    op.execute(_ON_MEMBER_UPDATE)
    for event, moved in _MOVES.items():
        grouped = (
            f"SELECT beneficiary_id, code, sum(sign) AS sign FROM ({moved}) AS m "
            "GROUP BY 1, 2 HAVING sum(sign) <> 0"
        )
        op.execute(_ON_PROFILE.format(event=event, moved=grouped))
    for table, name in _WATCHED.items():
        for event, transition in _TRANSITION.items():
            op.execute(
                f"CREATE TRIGGER cluster_dashboard_{event} AFTER {event.upper()} ON {table} "
                f"{transition} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION cluster_dashboard_on_{name}_{event}()"
            )
    # The backfill: every cluster from its referrals.
    op.execute("SELECT cluster_dashboard_rebuild(id) FROM cluster")


def downgrade() -> None:
    for table, name in _WATCHED.items():
        for event in _TRANSITION:
            op.execute(f"DROP TRIGGER cluster_dashboard_{event} ON {table}")
            op.execute(f"DROP FUNCTION cluster_dashboard_on_{name}_{event}()")
    op.execute("DROP FUNCTION cluster_dashboard_rebuild(uuid)")
    op.execute("DROP FUNCTION cluster_dashboard_lock(uuid[])")
    for table in reversed(_TABLES):
        op.drop_table(table)
