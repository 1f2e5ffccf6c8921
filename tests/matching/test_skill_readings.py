"""Free-text skills are read when a profile is written and stored with it; ranking uses the stored
reading while the taxonomy is the one it was made with; an operator sees each reading with its
candidates (``GET /beneficiaries/{id}/skill-readings``)."""

from __future__ import annotations

import json

import httpx

from tests.matching.conftest import person
from tests.matching.esco import subset_taxonomy
from tests.support import Org, sql

BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"


async def test_free_text_is_read_once_stored_and_shown_with_candidates(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, _, outsider = orgs
    taxonomy = subset_taxonomy()
    bricks = sorted(taxonomy.essential[BRICKLAYER])
    typed = taxonomy.label(bricks[0]).upper() + "."
    coded = {"uri": bricks[1], "label": taxonomy.label(bricks[1]), "verified": True}
    someone = await person(matching, ngo, skills=[{"label": typed}, coded, {"label": "zzqx blorf"}])
    [row] = await sql(
        matching_database,
        "SELECT skill_reading FROM candidate_profile WHERE beneficiary_id = $1",
        someone,
    )
    stored = json.loads(row["skill_reading"])
    assert stored["stamp"]  # the taxonomy it was read with
    assert stored["skills"][typed]["uri"] == bricks[0]
    assert stored["skills"]["zzqx blorf"] == {"uri": None, "confidence": None}
    assert set(stored["skills"]) == {typed, "zzqx blorf"}  # coded skills need no reading

    path = f"/api/v1/beneficiaries/{someone}/skill-readings"
    answer = await matching.get(path, headers=ngo.operator)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-language"] == "en"
    free, known, nonsense = answer.json()["items"]
    assert free["label"] == typed
    assert free["uri"] is None
    assert free["read_as"]["uri"] == bricks[0]
    assert free["read_as"]["label"] == taxonomy.label(bricks[0])
    assert free["candidates"][0]["uri"] == bricks[0]
    assert known == {
        "label": coded["label"], "uri": bricks[1], "verified": True, "read_as": None,
        "candidates": [],
    }  # fmt: skip
    assert nonsense["read_as"] is None
    assert (await matching.get(path, headers=outsider.operator)).status_code == 404
    unconsented = await person(matching, ngo, consent=False, skills=[{"label": typed}])
    refused = await matching.get(
        f"/api/v1/beneficiaries/{unconsented}/skill-readings", headers=ngo.operator
    )
    assert refused.status_code == 409


async def test_ranking_uses_the_stored_reading_made_with_its_taxonomy_only(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo = orgs[0]
    taxonomy = subset_taxonomy()
    bricks = sorted(taxonomy.essential[BRICKLAYER])
    typed = taxonomy.label(bricks[0]) + "!"
    someone = await person(matching, ngo, skills=[{"label": typed}])
    matches = f"/api/v1/beneficiaries/{someone}/matches"

    async def read_as() -> str | None:
        answer = await matching.get(matches, headers=ngo.operator)
        [found] = answer.json()["free_text_skills"]
        uri: str | None = found["uri"]
        return uri

    assert await read_as() == bricks[0]
    # What is stored is what ranks: a reading stored as another skill is read so.
    await sql(
        matching_database,
        "UPDATE candidate_profile SET skill_reading = jsonb_set(skill_reading, "
        "ARRAY['skills', $2::text, 'uri'], to_jsonb($3::text)) WHERE beneficiary_id = $1",
        someone,
        typed,
        bricks[2],
    )
    assert await read_as() == bricks[2]
    # Read with another taxonomy (an import since): read again.
    await sql(
        matching_database,
        "UPDATE candidate_profile SET skill_reading = jsonb_set(skill_reading, '{stamp}', "
        "'\"2020-01-01T00:00:00+00:00\"') WHERE beneficiary_id = $1",
        someone,
    )
    assert await read_as() == bricks[0]
