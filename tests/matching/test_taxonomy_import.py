"""The ESCO import: what the official files hold lands in matching's tables, once however often it
runs, with the labels of every language file given; the service's reads of those tables."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.taxonomy_read import known_uris, load_taxonomy, taxonomy_stamp
from services.matching.taxonomy.__main__ import main
from shared.db import create_engine, session_factory
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.matching.esco import SUBSET, import_subset, serve_matching, subset_rows, subset_taxonomy
from tests.support import migrated_database, sql

LAY_BRICKS = "http://data.europa.eu/esco/skill/13e1c0a2-b90d-46f4-be51-11730360b38d"
BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"
TABLES = (
    "esco_skill",
    "esco_occupation",
    "esco_isco_group",
    "esco_occupation_skill",
    "esco_skill_broader",
    "esco_label",
    "esco_label_word",
)


@pytest.fixture(scope="module")
async def esco_database(database_factory: DatabaseFactory) -> tuple[str, dict[str, int]]:
    """A database of its own (the tests below import into it again), with the subset imported."""
    url = await migrated_database(database_factory, "matching")
    return url, await import_subset(url)


@pytest.fixture
async def session(esco_database: tuple[str, dict[str, int]]) -> AsyncIterator[AsyncSession]:
    engine = create_engine(esco_database[0], pool_size=1, max_overflow=0)
    async with session_factory(engine)() as session:
        yield session
    await engine.dispose()


def _labels(name: str) -> set[tuple[str, str]]:
    """(concept, label) of a file's preferred, alternative and hidden labels, read here without
    the importer's code: one label per line of the quoted, multi-line fields."""
    labels = set()
    for row in subset_rows(name):
        for column in ("preferredLabel", "altLabels", "hiddenLabels"):
            for line in row.get(column, "").split("\n"):
                if line.strip():
                    labels.add((row["conceptUri"], " ".join(line.split())))
    return labels


def _expected_counts() -> dict[str, int]:
    groups = {row["conceptUri"] for row in subset_rows("skillGroups_en.csv")}
    for row in subset_rows("skillsHierarchy_en.csv"):
        groups |= {row[f"Level {level} URI"] for level in range(4) if row[f"Level {level} URI"]}
    # The hierarchy's nodes missing from skillGroups_en.csv are named by its "preferred term".
    group_labels = _labels("skillGroups_en.csv")
    named = {uri for uri, _label in group_labels}
    for row in subset_rows("skillsHierarchy_en.csv"):
        for level in range(4):
            uri = row[f"Level {level} URI"]
            if uri and uri not in named:
                group_labels.add((uri, " ".join(row[f"Level {level} preferred term"].split())))
    return {
        "skills": len(subset_rows("skills_en.csv")),
        "skill_groups": len(groups),
        "occupations": len(subset_rows("occupations_en.csv")),
        "isco_groups": len(subset_rows("ISCOGroups_en.csv")),
        "occupation_skills": len(subset_rows("occupationSkillRelations.csv")),
        "skill_broader": len(subset_rows("broaderRelationsSkillPillar.csv")),
        "occupation_broader": sum(
            row["conceptType"] == row["broaderType"] == "Occupation"
            for row in subset_rows("broaderRelationsOccPillar.csv")
        ),
        "labels_en": len(
            _labels("skills_en.csv")
            | _labels("occupations_en.csv")
            | _labels("ISCOGroups_en.csv")
            | group_labels
        ),
    }


async def _table_counts(url: str) -> dict[str, int]:
    query = " UNION ALL ".join(
        f"SELECT '{table}', count(*) FROM {table}"  # noqa: S608 - the constant names above
        for table in TABLES
    )
    return {row[0]: row[1] for row in await sql(url, query)}


async def test_the_import_writes_every_row_and_label_of_the_files(
    esco_database: tuple[str, dict[str, int]],
) -> None:
    url, counts = esco_database
    expected = _expected_counts()
    assert {name: counts[name] for name in expected} == expected
    tables = await _table_counts(url)
    assert tables["esco_skill"] == counts["skills"] + counts["skill_groups"]
    assert tables["esco_occupation"] == counts["occupations"]
    assert tables["esco_occupation_skill"] == counts["occupation_skills"]
    assert tables["esco_label"] == counts["labels_en"]
    assert tables["esco_label_word"] == counts["label_words_en"] > counts["labels_en"]
    # Each line of a quoted multi-line altLabels field is a label of its own.
    rows = await sql(
        url,
        "SELECT label, preferred FROM esco_label WHERE concept_uri = $1 ORDER BY id",
        LAY_BRICKS,
    )
    assert rows[0]["label"] == "lay bricks"
    assert rows[0]["preferred"]
    assert {"bricklaying", "build wall with bricks"} <= {row["label"] for row in rows[1:]}
    occupation = await sql(url, "SELECT * FROM esco_occupation WHERE uri = $1", BRICKLAYER)
    assert (occupation[0]["isco_group"], occupation[0]["code"]) == ("7112", "7112.1")
    versions = await sql(url, "SELECT version, language FROM esco_import")
    assert [tuple(row) for row in versions] == [("v1.1.1", "en")]


async def test_a_second_import_through_the_command_changes_nothing(
    esco_database: tuple[str, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, first = esco_database
    before = await _table_counts(url)
    labels_before = await sql(url, "SELECT concept_uri, kind, language, label FROM esco_label")
    stamp_before = await sql(url, "SELECT max(imported_at) FROM esco_import")

    code = await asyncio.to_thread(main, ["import", str(SUBSET), "--database-url", url])

    assert code == 0
    output = capsys.readouterr()
    assert json.loads(output.out) == first
    # The progress bar: into a pipe only each phase's final line, on stderr.
    assert "reading" in output.err
    assert "writing" in output.err
    assert "100%" in output.err
    assert await _table_counts(url) == before
    labels_after = await sql(url, "SELECT concept_uri, kind, language, label FROM esco_label")
    assert sorted(map(tuple, labels_after)) == sorted(map(tuple, labels_before))
    duplicates = await sql(
        url,
        "SELECT concept_uri, language, label FROM esco_label "
        "GROUP BY concept_uri, language, label HAVING count(*) > 1",
    )
    assert duplicates == []
    stamp_after = await sql(url, "SELECT max(imported_at) FROM esco_import")
    assert stamp_after[0][0] > stamp_before[0][0]


async def test_the_command_refuses_what_is_not_esco(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    code = await asyncio.to_thread(
        main, ["import", str(tmp_path / "notes.txt"), "--database-url", "postgresql://x/y"]
    )
    assert code == 1


async def test_load_taxonomy_builds_what_load_csv_reads(session: AsyncSession) -> None:
    loaded = await load_taxonomy(session)
    files = subset_taxonomy()
    assert loaded.occupations == files.occupations
    assert loaded.essential == files.essential
    assert loaded.optional == files.optional
    assert loaded.broader == files.broader
    assert loaded.isco_labels == files.isco_labels
    assert loaded.isco_parent == files.isco_parent
    assert loaded.skill_by_label == files.skill_by_label
    # The database also has the hierarchy's nodes that skillGroups_en.csv does not list.
    assert set(files.skills) <= set(loaded.skills)
    extra = {uri: skill for uri, skill in loaded.skills.items() if uri not in files.skills}
    assert all(skill.type == "skill group" for skill in extra.values())
    assert {uri: loaded.skills[uri] for uri in files.skills} == {
        uri: skill._replace(label=" ".join(skill.label.split()))
        for uri, skill in files.skills.items()
    }
    assert sum(map(len, loaded.essential.values())) + sum(map(len, loaded.optional.values())) == (
        len(subset_rows("occupationSkillRelations.csv"))
    )


async def test_the_stamp_and_the_known_uris(session: AsyncSession) -> None:
    stamp = await taxonomy_stamp(session)
    assert stamp is not None
    group = next(row["conceptUri"] for row in subset_rows("skillGroups_en.csv"))
    unknown = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000000"
    assert await known_uris(session, [LAY_BRICKS, group, unknown, BRICKLAYER], "skill") == {
        LAY_BRICKS
    }
    assert await known_uris(session, [LAY_BRICKS, BRICKLAYER], "occupation") == {BRICKLAYER}
    assert await known_uris(session, [], "skill") == set()


SKILLS_HEADER = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,"
    "modifiedDate,scopeNote,definition,inScheme,description"
).split(",")


def _italian_skills(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SKILLS_HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    "conceptType": "KnowledgeSkillCompetence",
                    "skillType": "skill/competence",
                    "status": "released",
                    **row,
                }
            )
    return path


async def test_a_language_file_adds_labels_searched_in_that_language(
    database_factory: DatabaseFactory, issuer: TestIssuer, tmp_path: Path
) -> None:
    url = await migrated_database(database_factory, "matching")
    engine = create_engine(url, pool_size=1, max_overflow=0)
    async with session_factory(engine)() as session:
        assert await taxonomy_stamp(session) is None  # nothing imported yet
    await engine.dispose()
    unlabelled = next(
        uri for uri in sorted(subset_taxonomy().essential[BRICKLAYER]) if uri != LAY_BRICKS
    )
    italian = _italian_skills(
        tmp_path / "skills_it.csv",
        [
            {
                "conceptUri": LAY_BRICKS,
                "preferredLabel": "posare mattoni",
                "altLabels": "muratura\nmessa in opera di mattoni",
            },
            # No preferred label in Italian: results show the English one.
            {"conceptUri": unlabelled, "altLabels": "qualità della malta"},
        ],
    )

    counts = await import_subset(url, italian)

    assert counts["labels_it"] == 4
    assert counts["skills"] == len(subset_rows("skills_en.csv"))  # concepts from English
    languages = await sql(url, "SELECT language FROM esco_import ORDER BY language")
    assert [row["language"] for row in languages] == ["en", "it"]
    headers = issuer.headers(roles=("provider",))
    async with serve_matching(url, issuer) as client:
        answer = await client.get(
            "/api/v1/taxonomy/skills", params={"q": "posa", "language": "it"}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["language"] == "it"
        assert answer.json()["items"][0]["uri"] == LAY_BRICKS
        assert answer.json()["items"][0]["preferred_label"] == "posare mattoni"

        answer = await client.get(
            "/api/v1/taxonomy/skills",
            params={"q": "MATTONI"},  # a later word, in capitals
            headers={**headers, "Accept-Language": "fr;q=0.9, it-IT, en;q=0.5"},
        )
        assert answer.headers["content-language"] == "it"
        assert answer.json()["items"][0]["matched_label"] in {
            "posare mattoni",
            "messa in opera di mattoni",
        }

        answer = await client.get(
            "/api/v1/taxonomy/skills", params={"q": "qualita", "language": "it"}, headers=headers
        )
        [hit] = answer.json()["items"]
        assert hit["matched_label"] == "qualità della malta"
        assert hit["preferred_label"] == subset_taxonomy().skills[unlabelled].label.strip()

        english = await client.get(
            "/api/v1/taxonomy/skills", params={"q": "posare mattoni"}, headers=headers
        )
        assert english.json() == {"language": "en", "items": [], "next_cursor": None}

        # An offer's skills in the caller's language, English where the import has no label.
        body = {"type": "job", "title": "Muratore", "seats": 1, "status": "open",
                "skills_required": [LAY_BRICKS, unlabelled]}  # fmt: skip
        created = await client.post(
            "/api/v1/offers", json=body, headers={**headers, "Accept-Language": "it"}
        )
        assert created.status_code == 201, created.text
        assert created.headers["content-language"] == "it"
        labels = [skill["label"] for skill in created.json()["skills"]]
        assert labels == ["posare mattoni", subset_taxonomy().skills[unlabelled].label.strip()]
        for accepted, language in (("el, it;q=0.5", "it"), ("fr", "en"), (None, "en")):
            read = await client.get(
                f"/api/v1/offers/{created.json()['id']}",
                headers={**headers, **({"Accept-Language": accepted} if accepted else {})},
            )
            assert read.headers["content-language"] == language
            assert read.headers["vary"] == "Accept-Language"
            first = read.json()["skills"][0]["label"]
            assert first == ("posare mattoni" if language == "it" else "lay bricks")


# Each skill's group one level under the roots, walked over the hierarchy as the territorial
# analysis walked it on every request before esco_skill_group kept it: the reference.
_WALKED = """
WITH RECURSIVE up(skill, node, depth) AS (
    SELECT DISTINCT skill_uri, skill_uri, 0 FROM esco_skill_broader
    UNION
    SELECT up.skill, b.broader_uri, up.depth + 1
    FROM up JOIN esco_skill_broader AS b ON b.skill_uri = up.node WHERE up.depth < 10
)
SELECT DISTINCT ON (up.skill) up.skill, up.node
FROM up JOIN esco_skill_broader AS b ON b.skill_uri = up.node
WHERE up.depth > 0
  AND NOT EXISTS (SELECT 1 FROM esco_skill_broader AS r WHERE r.skill_uri = b.broader_uri)
ORDER BY up.skill, up.node
"""


async def _kept_groups(url: str) -> tuple[dict[str, str], dict[str, set[int]]]:
    """(skill -> group, group -> its numbers) as esco_skill_group holds them."""
    rows = await sql(url, "SELECT skill_uri, group_uri, group_number FROM esco_skill_group")
    numbers: dict[str, set[int]] = {}
    for row in rows:
        numbers.setdefault(row["group_uri"], set()).add(row["group_number"])
    return {row["skill_uri"]: row["group_uri"] for row in rows}, numbers


async def _assert_groups_walked(url: str) -> None:
    groups, numbers = await _kept_groups(url)
    assert groups == {row[0]: row[1] for row in await sql(url, _WALKED)}
    # One number per group, 1, 2, ... in URI order.
    assert [numbers[uri] for uri in sorted(numbers)] == [{n} for n in range(1, len(numbers) + 1)]


async def test_each_skills_group_is_kept_at_every_import(
    esco_database: tuple[str, dict[str, int]],
) -> None:
    url, _counts = esco_database
    await _assert_groups_walked(url)
    groups, _numbers = await _kept_groups(url)
    skill_group = await sql(
        url, "SELECT s.code FROM esco_skill AS s WHERE s.uri = $1", groups[LAY_BRICKS]
    )
    assert skill_group[0]["code"] == "S7"  # constructing
    assert len(groups) > 1000

    # Stale rows (a skill gone, a group renumbered, one missing) do not survive a re-import.
    await sql(url, "INSERT INTO esco_skill_group VALUES ('urn:gone', 'urn:gone-group', 99)")
    await sql(url, "UPDATE esco_skill_group SET group_number = 42 WHERE skill_uri = $1", LAY_BRICKS)
    await sql(
        url,
        "DELETE FROM esco_skill_group WHERE skill_uri IN "
        "(SELECT skill_uri FROM esco_skill_group WHERE skill_uri <> $1 LIMIT 5)",
        LAY_BRICKS,
    )
    assert await asyncio.to_thread(main, ["import", str(SUBSET), "--database-url", url]) == 0
    await _assert_groups_walked(url)
    assert (await _kept_groups(url))[0] == groups
