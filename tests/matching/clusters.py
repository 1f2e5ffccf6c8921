"""Clusters and their members written straight into matching's database, for the tests of what
depends on them (the catalogue's visibility, referrals' clusters) while the clusters API is
built apart: switch these to ``POST /api/v1/clusters`` and ``/members`` once it exists."""

from __future__ import annotations

import uuid
from datetime import date

from tests.support import sql

SINCE = date(2020, 1, 1)


async def cluster(
    database_url: str, name: str, territory_codes: list[str], coordinator: uuid.UUID | str
) -> uuid.UUID:
    """An active cluster on ``territory_codes`` coordinated by ``coordinator``."""
    cluster_id = uuid.uuid4()
    await sql(
        database_url,
        "INSERT INTO cluster (id, name, territory_codes, status, coordinator_organization_id, "
        "sector_focus, version, created_by) VALUES ($1, $2, $3, 'active', $4, '{}', 1, 'test')",
        cluster_id,
        f"{name} {cluster_id.hex[:6]}",
        territory_codes,
        uuid.UUID(str(coordinator)),
    )
    return cluster_id


async def member(
    database_url: str,
    cluster_id: uuid.UUID,
    organization_id: uuid.UUID | str,
    *,
    joined_on: date = SINCE,
    left_on: date | None = None,
) -> None:
    """``organization_id`` a member of the cluster from ``joined_on`` (until ``left_on``)."""
    await sql(
        database_url,
        "INSERT INTO cluster_member (cluster_id, organization_id, roles, joined_on, left_on, "
        "version) VALUES ($1, $2, '{ngo}', $3, $4, 1)",
        cluster_id,
        uuid.UUID(str(organization_id)),
        joined_on,
        left_on,
    )
