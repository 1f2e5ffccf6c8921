"""``candidate_profile.skill_uris``: the profile's skills' URIs, derived by the database on every
write of the profile (what the territorial analysis counts), and gone with the person."""

from __future__ import annotations

import uuid

import httpx

from tests.matching.conftest import deliver, person
from tests.support import Org, envelope, sql

BRICKS = "http://data.europa.eu/esco/skill/13e1c0a2-b90d-46f4-be51-11730360b38d"
WELD = "http://data.europa.eu/esco/skill/weld"
DRIVE = "http://data.europa.eu/esco/skill/drive"


async def _skill_uris(url: str, beneficiary_id: uuid.UUID) -> list[list[str | None]]:
    rows = await sql(
        url, "SELECT skill_uris FROM candidate_profile WHERE beneficiary_id = $1", beneficiary_id
    )
    return [list(row["skill_uris"]) for row in rows]


async def test_written_on_create_and_update_and_erased_with_the_person(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    owner = orgs[0]
    someone = await person(
        matching,
        owner,
        skills=[
            {"uri": BRICKS, "label": "lay bricks"},
            {"label": "a skill without a URI"},
            {"uri": WELD, "label": "weld"},
        ],
    )
    # In the profile's order; a skill without a URI is a null, as the profile's JSON has it.
    assert await _skill_uris(matching_database, someone) == [[BRICKS, None, WELD]]
    no_skills = await person(matching, owner)
    assert await _skill_uris(matching_database, no_skills) == [[]]

    await deliver(
        matching,
        envelope(
            "beneficiary.updated",
            {
                "beneficiary_id": str(someone),
                "organization_id": str(owner.id),
                "profile": {"skills": [{"uri": DRIVE, "label": "drive"}]},
            },
        ),
    )
    assert await _skill_uris(matching_database, someone) == [[DRIVE]]

    await deliver(
        matching,
        envelope(
            "beneficiary.erased",
            {"beneficiary_id": str(someone), "organization_id": str(owner.id)},
        ),
    )
    assert await _skill_uris(matching_database, someone) == []
    assert await _skill_uris(matching_database, no_skills) == [[]]


async def test_the_database_derives_it_from_whatever_writes_the_profile(
    matching: httpx.AsyncClient, matching_database: str
) -> None:
    """A bulk write that names only the profile (as the benchmark's seeding does) gets it too."""
    someone = uuid.uuid4()
    await sql(
        matching_database,
        "INSERT INTO candidate_profile (beneficiary_id, organization_id, profile, updated_at) "
        "VALUES ($1, $2, $3::jsonb, now())",
        someone,
        uuid.uuid4(),
        f'{{"skills": [{{"uri": "{WELD}"}}, {{"uri": "{BRICKS}"}}]}}',
    )
    assert await _skill_uris(matching_database, someone) == [[WELD, BRICKS]]
    await sql(
        matching_database,
        'UPDATE candidate_profile SET profile = \'{"skills": "not a list"}\' '
        "WHERE beneficiary_id = $1",
        someone,
    )
    assert await _skill_uris(matching_database, someone) == [[]]
