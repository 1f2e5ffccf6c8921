"""Service points and people's territories written straight into matching's database: the
service points' API and the filling of ``candidate_profile.territory_code`` / ``needs`` from
intake are built elsewhere, so the territorial context's tests set the rows themselves."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from tests.support import Org, sql

ROMA = "IT_058091"  # the municipality (LAU), in the province ITI43
FIUMICINO = "IT_058120"  # another municipality of the province of Roma
TIVOLI = "IT_058104"  # and another
LATINA = "IT_059011"  # a municipality of another province (ITI44)


async def service_point(
    database_url: str,
    owner: Org | uuid.UUID,
    *,
    name: str,
    need_domains: list[str],
    tier: str = "low_threshold",
    territory_code: str = ROMA,
    minutes: list[tuple[str, int]] | None = None,
    cluster_ids: list[uuid.UUID] | None = None,
    status: str = "active",
    kind: str = "legal_aid",
) -> uuid.UUID:
    point_id = uuid.uuid4()
    transport = [{"hub": hub, "minutes": value} for hub, value in minutes or []]
    await sql(
        database_url,
        "INSERT INTO service_point (id, organization_id, name, kind, need_domains, tier, "
        "territory_code, languages, cultural_mediators, documents_required, access_mode, "
        "transport_access, cluster_ids, status, version, created_by) VALUES ($1, $2, $3, $4, $5, "
        "$6, $7, '{it,ar}', true, false, 'drop_in', $8::jsonb, $9, $10, 1, 'test')",
        point_id,
        owner.id if isinstance(owner, Org) else owner,
        name,
        kind,
        need_domains,
        tier,
        territory_code,
        json.dumps(transport),
        cluster_ids or [],
        status,
    )
    return point_id


async def place(
    database_url: str, beneficiary_id: uuid.UUID, territory_code: str | None, needs: list[str]
) -> None:
    """The person's territory and needs in matching's read model (as intake's events will)."""
    await sql(
        database_url,
        "UPDATE candidate_profile SET territory_code = $2, needs = $3 WHERE beneficiary_id = $1",
        beneficiary_id,
        territory_code,
        needs,
    )


async def cluster(database_url: str, coordinator: uuid.UUID, *members: uuid.UUID) -> uuid.UUID:
    """A cluster and its members since 2020 (clusters' API is built elsewhere)."""
    cluster_id = uuid.uuid4()
    await sql(
        database_url,
        "INSERT INTO cluster (id, name, territory_codes, sector_focus, status, "
        "coordinator_organization_id, version, created_by) VALUES ($1, $2, '{ITI43}', '{}', "
        "'active', $3, 1, 'test')",
        cluster_id,
        f"Cluster {cluster_id.hex[:8]}",
        coordinator,
    )
    for member in members:
        await sql(
            database_url,
            "INSERT INTO cluster_member (cluster_id, organization_id, roles, joined_on, version) "
            "VALUES ($1, $2, '{low_threshold_service}', $3, 1)",
            cluster_id,
            member,
            date(2020, 1, 1),
        )
    return cluster_id


def ids(points: list[dict[str, Any]]) -> list[str]:
    return [point["id"] for point in points]
