"""The territory import: the committed cut of the official files lands in matching's table, once
however often it runs, with the files' SHA-256 recorded; files whose parents are missing are
refused whole."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from services.matching.territories.__main__ import main
from services.matching.territories.importer import sha256_of
from shared.testing.plugin import DatabaseFactory
from tests.matching.territories import LAU, NUTS, import_territory_subset
from tests.support import migrated_database, sql

EXPECTED = {
    "level_0": 5,
    "level_1": 5,
    "level_2": 5,
    "level_3": 22,
    "level_4": 156,
    "nuts": 37,
    "lau": 156,
}
ROWS = "SELECT * FROM territory ORDER BY code"


@pytest.fixture(scope="module")
async def territory_database(database_factory: DatabaseFactory) -> tuple[str, dict[str, int]]:
    """A database of its own (the tests below import into it again), with the cut imported."""
    url = await migrated_database(database_factory, "matching")
    return url, await import_territory_subset(url)


async def test_the_import_writes_every_unit_with_its_code_level_and_parent(
    territory_database: tuple[str, dict[str, int]],
) -> None:
    url, counts = territory_database
    assert counts == EXPECTED
    levels = await sql(url, "SELECT level, count(*) FROM territory GROUP BY level ORDER BY level")
    assert [tuple(row) for row in levels] == [(0, 5), (1, 5), (2, 5), (3, 22), (4, 156)]
    [roma] = await sql(url, "SELECT * FROM territory WHERE code = 'IT_058091'")
    assert dict(roma) == {
        "code": "IT_058091",
        "scheme": "lau",
        "level": 4,
        "parent_code": "ITI43",
        "country": "IT",
        "name_latin": "Roma",
        "name_national": "Roma",
        "name_key": "roma",
        "national_key": "roma",
    }
    [cyprus] = await sql(url, "SELECT * FROM territory WHERE code = 'CY000'")
    assert (cyprus["scheme"], cyprus["level"], cyprus["parent_code"]) == ("nuts", 3, "CY00")
    assert (cyprus["name_national"], cyprus["name_key"], cyprus["national_key"]) == (
        "Κύπρος",
        "kypros",
        "κυπροσ",  # case folded: a final sigma is a sigma
    )
    orphans = await sql(
        url,
        "SELECT c.code FROM territory AS c LEFT JOIN territory AS p ON p.code = c.parent_code "
        "WHERE c.parent_code IS NOT NULL AND p.code IS NULL",
    )
    assert orphans == []


async def test_a_second_import_through_the_command_replaces_and_records_the_files(
    territory_database: tuple[str, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = territory_database
    before = [dict(row) for row in await sql(url, ROWS)]
    await sql(url, "UPDATE territory SET name_latin = 'Changed' WHERE code = 'ITI4'")
    code = await asyncio.to_thread(main, ["import", str(NUTS), str(LAU), "--database-url", url])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED
    assert [dict(row) for row in await sql(url, ROWS)] == before  # replaced, not added to
    [last] = await sql(url, "SELECT files, counts FROM territory_import ORDER BY id DESC LIMIT 1")
    assert json.loads(last["counts"]) == EXPECTED
    assert json.loads(last["files"]) == [
        {"scheme": "nuts", "name": NUTS.name, "sha256": sha256_of(NUTS)},
        {"scheme": "lau", "name": LAU.name, "sha256": sha256_of(LAU)},
    ]
    assert sha256_of(NUTS) == "2628f0124bab18c1b12a4ca08a40c2e31136bf435694f3c0cd00cc7c4699f890"


async def test_a_municipality_whose_nuts_3_is_missing_refuses_the_whole_import(
    territory_database: tuple[str, dict[str, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _ = territory_database
    before = await sql(url, ROWS)
    lines = NUTS.read_text(encoding="utf-8").splitlines(keepends=True)
    without_latina = tmp_path / "NUTS_AT_2024.csv"
    without_latina.write_text("".join(line for line in lines if ",ITI44," not in line))
    code = await asyncio.to_thread(
        main, ["import", str(without_latina), str(LAU), "--database-url", url]
    )
    assert code == 1
    error = capsys.readouterr().err
    assert "33 territories have a parent that is not in the NUTS file" in error
    assert "IT_059001 (parent ITI44)" in error
    assert "nothing was imported" in error
    assert await sql(url, ROWS) == before


async def test_the_command_needs_a_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(NUTS), str(LAU), "--database-url", ""]) == 2
    assert "PONTE_MATCHING_DATABASE_URL" in capsys.readouterr().err
