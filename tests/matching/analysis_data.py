"""Rows for the territorial analysis's tests, written straight into matching's database: people
(the read model intake's events keep), service points, offers, clusters and referrals. Clusters
and service points are written here because their API is not this module's subject."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

from tests.support import sql

ROMA = "IT_058091"  # the municipality, in the province ITI43
LATINA_PROVINCE = "ITI44"
# "guarantee customer satisfaction", under "assisting and caring" only (the subset's hierarchy).
CUSTOMER_SATISFACTION = "http://data.europa.eu/esco/skill/00e53a0a-c0ba-4c9f-a2ed-4706d5832a00"


async def people(
    url: str,
    organization_id: uuid.UUID,
    count: int,
    territory: str,
    needs: Sequence[str],
    skills: Sequence[str] = (),
) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    profile = json.dumps({"skills": [{"uri": uri} for uri in skills]})
    for beneficiary_id in ids:
        await sql(
            url,
            "INSERT INTO candidate_profile (beneficiary_id, organization_id, profile, "
            "territory_code, needs, updated_at) VALUES ($1, $2, $3::jsonb, $4, $5, now())",
            beneficiary_id,
            organization_id,
            profile,
            territory,
            list(needs),
        )
    return ids


async def service_point(
    url: str,
    organization_id: uuid.UUID,
    territory: str,
    needs: Sequence[str],
    *,
    kind: str = "help_desk",
    tier: str = "low_threshold",
    status: str = "active",
    minutes: Sequence[int] = (),
) -> uuid.UUID:
    point_id = uuid.uuid4()
    access = json.dumps([{"hub": f"hub {i}", "minutes": m} for i, m in enumerate(minutes)])
    await sql(
        url,
        "INSERT INTO service_point (id, organization_id, name, kind, need_domains, tier, "
        "territory_code, access_mode, status, transport_access, cultural_mediators, "
        "documents_required, version, created_by) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 'drop_in', $8, $9::jsonb, false, false, 1, 'test')",
        point_id,
        organization_id,
        f"{kind} in {territory}",
        kind,
        list(needs),
        tier,
        territory,
        status,
        access,
    )
    return point_id


async def offer(
    url: str,
    organization_id: uuid.UUID,
    territory: str,
    kind: str,
    seats: int,
    skills: Sequence[str] = (),
) -> uuid.UUID:
    offer_id = uuid.uuid4()
    await sql(
        url,
        "INSERT INTO offer (id, organization_id, type, title, status, territory_code, seats, "
        "seats_taken, required_skills, preferred_skills, permit_must_allow_work, "
        "languages_of_instruction, version, created_by) "
        "VALUES ($1, $2, $3, 'An offer', 'open', $4, $5, 0, $6, '{}', false, '{}', 1, 'test')",
        offer_id,
        organization_id,
        kind,
        territory,
        seats,
        list(skills),
    )
    return offer_id


async def cluster(
    url: str, coordinator: uuid.UUID, territories: Sequence[str], members: Sequence[uuid.UUID]
) -> uuid.UUID:
    cluster_id = uuid.uuid4()
    await sql(
        url,
        "INSERT INTO cluster (id, name, territory_codes, status, coordinator_organization_id, "
        "version, created_by) VALUES ($1, $2, $3, 'active', $4, 1, 'test')",
        cluster_id,
        f"cluster {cluster_id.hex[:6]}",
        list(territories),
        coordinator,
    )
    for member in members:
        await sql(
            url,
            "INSERT INTO cluster_member (cluster_id, organization_id, roles, joined_on, version) "
            "VALUES ($1, $2, '{}', $3, 1)",
            cluster_id,
            member,
            date(2020, 1, 1),
        )
    return cluster_id


async def referral(
    url: str,
    beneficiary_id: uuid.UUID,
    organization_id: uuid.UUID,
    point_id: uuid.UUID,
    on: date,
) -> None:
    """A referral to a service point (a referral names an offer or a point, never both)."""
    await sql(
        url,
        "INSERT INTO referral (id, beneficiary_id, organization_id, "
        "provider_organization_id, service_point_id, status, history, version, created_by, "
        "created_at) VALUES ($1, $2, $3, $3, $4, 'proposed', '[]'::jsonb, 1, 'test', $5)",
        uuid.uuid4(),
        beneficiary_id,
        organization_id,
        point_id,
        datetime(on.year, on.month, on.day, 12, tzinfo=UTC),
    )
