"""The committed ESCO subset: the official format, closed under the relations it keeps, its
provenance true to its files, and reproducible from the official archives by the command."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest

from services.matching.domain.taxonomy import cut, load_csv
from services.matching.taxonomy.__main__ import main
from services.matching.taxonomy.cutter import FIRST_JOB_PREFIXES, read_provenance_counts
from tests.matching.esco import SUBSET, official_archives, subset_rows, subset_taxonomy

# The official v1.1.1 columns (see /work/shared/data/esco/README.md).
HEADERS = {
    "occupations_en.csv": "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,"
    "hiddenLabels,status,modifiedDate,regulatedProfessionNote,scopeNote,definition,inScheme,"
    "description,code",
    "skills_en.csv": "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,"
    "hiddenLabels,status,modifiedDate,scopeNote,definition,inScheme,description",
    "occupationSkillRelations.csv": "occupationUri,relationType,skillType,skillUri",
    "broaderRelationsSkillPillar.csv": "conceptType,conceptUri,broaderType,broaderUri",
    "broaderRelationsOccPillar.csv": "conceptType,conceptUri,broaderType,broaderUri",
}
FILES = (
    "skills_en.csv",
    "occupations_en.csv",
    "ISCOGroups_en.csv",
    "skillGroups_en.csv",
    "skillsHierarchy_en.csv",
    "occupationSkillRelations.csv",
    "broaderRelationsSkillPillar.csv",
    "broaderRelationsOccPillar.csv",
)


def test_the_files_have_the_official_names_and_columns() -> None:
    assert sorted(path.name for path in SUBSET.glob("*.csv")) == sorted(FILES)
    for name, header in HEADERS.items():
        with (SUBSET / name).open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == header.split(","), name
    assert sum(path.stat().st_size for path in SUBSET.iterdir()) < 4_000_000


def test_the_provenance_states_the_files_rows_and_the_acknowledgement() -> None:
    assert read_provenance_counts(SUBSET) == {name: len(subset_rows(name)) for name in FILES}
    provenance = (SUBSET / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "ESCO classification, European Commission, v1.1.1" in provenance
    assert "ESCO version: v1.1.1" in provenance
    assert "bb2f89a9efae25d2216748c86d1cb413" in provenance  # the classification archive
    assert "7b580b5cbf9efde2f8a904cff14c71c0" in provenance  # the relations archive
    assert all(code in provenance for code in FIRST_JOB_PREFIXES)


def test_the_subset_keeps_whatever_its_rows_point_to() -> None:
    occupations = {row["conceptUri"]: row for row in subset_rows("occupations_en.csv")}
    skills = {row["conceptUri"] for row in subset_rows("skills_en.csv")}
    groups = {row["conceptUri"] for row in subset_rows("skillGroups_en.csv")}
    assert all(row["iscoGroup"].startswith(FIRST_JOB_PREFIXES) for row in occupations.values())
    relations = subset_rows("occupationSkillRelations.csv")
    assert {row["occupationUri"] for row in relations} == set(occupations)
    assert {row["skillUri"] for row in relations} <= skills
    for row in subset_rows("broaderRelationsSkillPillar.csv"):  # the chain up to the top
        assert row["conceptUri"] in skills | groups
        assert row["broaderUri"] in skills | groups
    # What has nothing broader is the top of the hierarchy (skills, knowledge, ...).
    tops = (skills | groups) - {
        row["conceptUri"] for row in subset_rows("broaderRelationsSkillPillar.csv")
    }
    assert tops
    assert tops <= {row["Level 0 URI"] for row in subset_rows("skillsHierarchy_en.csv")}
    codes = {row["code"] for row in subset_rows("ISCOGroups_en.csv")}
    for row in occupations.values():
        group = row["iscoGroup"]
        assert {group[:length] for length in range(1, len(group) + 1)} <= codes


def test_the_engine_reads_the_subset() -> None:
    taxonomy = subset_taxonomy()
    assert len(taxonomy.occupations) == len(subset_rows("occupations_en.csv"))
    assert len(taxonomy.skills) == len(subset_rows("skills_en.csv")) + len(
        subset_rows("skillGroups_en.csv")
    )
    links = sum(map(len, taxonomy.essential.values())) + sum(map(len, taxonomy.optional.values()))
    assert links == len(subset_rows("occupationSkillRelations.csv"))
    bricklayer = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"
    assert taxonomy.label(bricklayer) == "bricklayer"


@pytest.mark.skipif(not official_archives(), reason="the official ESCO archives are not here")
async def test_the_command_reproduces_the_committed_subset(tmp_path: Path) -> None:
    archives = official_archives()
    code = await asyncio.to_thread(
        main, ["cut-subset", *map(str, archives), "--out", str(tmp_path)]
    )
    assert code == 0
    for name in (*FILES, "PROVENANCE.md"):
        assert (tmp_path / name).read_bytes() == (SUBSET / name).read_bytes(), name
    # And it is the part of the whole taxonomy the engine's own cut keeps.
    whole = cut(load_csv(*archives), FIRST_JOB_PREFIXES)
    mine = load_csv(tmp_path)
    assert mine.occupations == whole.occupations
    assert mine.essential == whole.essential
    assert mine.optional == whole.optional
    assert set(mine.skills) == set(whole.skills)
