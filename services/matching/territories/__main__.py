"""``python -m services.matching.territories import <NUTS csv> <LAU xlsx> [--database-url URL]``

Imports GISCO's NUTS attribute table (``NUTS_AT_2024.csv``) and Eurostat's LAU workbook
(``EU-27-LAU-2024-NUTS-2024.xlsx``) into the matching service's database, replacing the
territories it holds; where to download them: ``subset/PROVENANCE.md``. The database must be
migrated. Territorial units: NUTS 2024 and LAU 2024 © European Union, Eurostat (GISCO).

``python -m services.matching.territories resolve [--database-url URL] [--report FILE]``

After an import: gives each offer and each person's read model that names a municipality but no
territory code the code of the one municipality (LAU) with that name, case and accents aside;
prints the rows it could not resolve with the reason (``no_such_name``, or ``ambiguous`` with the
municipalities that have the name), also as CSV in ``FILE``; then the counts as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from services.matching.territories.files import TerritoryFileError
from services.matching.territories.importer import import_territories
from services.matching.territories.resolver import Report, resolve_missing, write_csv
from shared.db import create_engine


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.matching.territories",
        description="The territories (NUTS 2024 and LAU) of the matching service.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "import",
        help="import the official NUTS CSV and LAU workbook",
        description="Replace the territories by the NUTS regions (levels 0-3) of the CSV and "
        "the municipalities of the workbook, in one transaction. Refuses files in which a "
        "municipality's NUTS 3 (or a region's parent) is missing.",
    )
    command.add_argument("nuts", type=Path, help="GISCO's NUTS_AT_2024.csv")
    command.add_argument("lau", type=Path, help="Eurostat's EU-27-LAU-2024-NUTS-2024.xlsx")
    _database_url(command)
    command = commands.add_parser(
        "resolve",
        help="give offers and people without a territory code the code of their municipality",
        description="Reads each municipality name as the one LAU with that name (case and "
        "accents aside); lists the rows it could not resolve, with the reason.",
    )
    command.add_argument("--report", type=Path, help="also write the unresolved rows as CSV here")
    _database_url(command)
    return parser


def _database_url(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--database-url",
        default=os.environ.get("PONTE_MATCHING_DATABASE_URL", ""),
        help="the matching database (default: $PONTE_MATCHING_DATABASE_URL)",
    )


async def _import(arguments: argparse.Namespace) -> dict[str, int]:
    engine = create_engine(arguments.database_url, pool_size=1, max_overflow=0)

    def skipped(_sheet: str, reason: str) -> None:
        print(f"skipped: {reason}", file=sys.stderr)

    try:
        return await import_territories(engine, arguments.nuts, arguments.lau, on_skip=skipped)
    finally:
        await engine.dispose()


async def _resolve(arguments: argparse.Namespace) -> Report:
    engine = create_engine(arguments.database_url, pool_size=1, max_overflow=0)
    try:
        return await resolve_missing(engine)
    finally:
        await engine.dispose()


def _report(arguments: argparse.Namespace) -> int:
    report = asyncio.run(_resolve(arguments))
    for item in report.unresolved:
        row = item.row()
        listed = f": {row['candidates']}" if row["candidates"] else ""
        print(
            f"unresolved {row['kind']} {row['id']} {row['municipality']!r}: {row['reason']}{listed}"
        )
    if arguments.report is not None:
        with arguments.report.open("w", newline="", encoding="utf-8") as out:
            write_csv(report.unresolved, out)
    print(json.dumps(report.summary(), indent=2, sort_keys=True))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if not arguments.database_url:
        print("Set --database-url or PONTE_MATCHING_DATABASE_URL.", file=sys.stderr)
        return 2
    if arguments.command == "resolve":
        return _report(arguments)
    try:
        counts = asyncio.run(_import(arguments))
    except (TerritoryFileError, OSError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(counts, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
