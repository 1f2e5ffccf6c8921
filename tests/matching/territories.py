"""The committed cut of the official territory files, imported with the real import's code.

Territorial units: NUTS 2024 and LAU 2024 © European Union, Eurostat (GISCO); a cut of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import zipfile
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import uvicorn

from services.matching.app import create_app
from services.matching.settings import MatchingSettings
from services.matching.territories.files import Territory
from services.matching.territories.importer import import_territories
from shared.db import create_engine
from tools.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ROOT / "services" / "matching" / "territories" / "subset"
NUTS = SUBSET / "NUTS_AT_2024.csv"
LAU = SUBSET / "EU-27-LAU-2024-NUTS-2024.xlsx"


async def import_territory_subset(database_url: str) -> dict[str, int]:
    """Import the cut into a migrated matching database; returns the counts."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        return await import_territories(engine, NUTS, LAU)
    finally:
        await engine.dispose()


_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RELATIONS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEADER = ("NUTS 3 CODE", "LAU CODE", "LAU NAME NATIONAL", "LAU NAME LATIN")


def write_lau_xlsx(records: Iterable[Territory], path: Path) -> Path:
    """A LAU workbook of ``records`` as Eurostat's is read (a sheet per country; inline strings),
    to import a cut that differs from the committed one."""
    by_country: dict[str, list[Territory]] = {}
    for record in records:
        by_country.setdefault(record.country, []).append(record)

    def row(number: int, values: Iterable[str]) -> str:
        cells = "".join(
            f'<c r="{column}{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
            for column, value in zip("ABCD", values, strict=True)
        )
        return f'<row r="{number}">{cells}</row>'

    with zipfile.ZipFile(path, "w") as book:
        countries = sorted(by_country)
        book.writestr(
            "xl/workbook.xml",
            f'<workbook {_MAIN} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets>'
            + "".join(
                f'<sheet name="{c}" sheetId="{i}" r:id="rId{i}"/>'
                for i, c in enumerate(countries, 1)
            )
            + "</sheets></workbook>",
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_RELATIONS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="worksheet" Target="/xl/worksheets/s{i}.xml"/>'
                for i in range(1, len(countries) + 1)
            )
            + "</Relationships>",
        )
        for i, country in enumerate(countries, 1):
            rows = [row(1, _HEADER)] + [
                row(n, (r.parent_code or "", r.code, r.name_national, r.name_latin))
                for n, r in enumerate(by_country[country], 2)
            ]
            book.writestr(
                f"xl/worksheets/s{i}.xml",
                f"<worksheet {_MAIN}><sheetData>{''.join(rows)}</sheetData></worksheet>",
            )
    return path


@contextlib.asynccontextmanager
async def matching_listening(database_url: str, internal_token: str) -> AsyncIterator[str]:
    """The matching service on a free port of 127.0.0.1 (its database migrated, the cut imported),
    for a service that calls its internal territory API; yields its URL."""
    settings = MatchingSettings(
        database_url=database_url,
        migrate_on_start=False,
        internal_token=internal_token,
        intake_url="http://127.0.0.1:9",
        pathways_url="http://127.0.0.1:9",
        database_pool_size=2,
    )
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


TOKEN = "territory-test-token"


@pytest.fixture
async def matching_url(matching_database: str) -> AsyncIterator[str]:
    """Matching on a port, for the tests of a service that asks it about territories (import
    this fixture with ``matching_database``); its internal token is :data:`TOKEN`."""
    async with matching_listening(matching_database, TOKEN) as url:
        yield url
