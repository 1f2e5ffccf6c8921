"""``python -m services.matching.taxonomy import <zip-or-dir> [...] [--database-url URL]``

Imports the official ESCO CSV export (the classification archive of each language wanted, and
the relations archive) into the matching service's database. The database must be migrated.

``python -m services.matching.taxonomy cut-subset <zip-or-dir> [...] [--out DIR]`` writes the
subset used by the tests and the demo (``services/matching/taxonomy/subset/``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from services.matching.taxonomy.cutter import FIRST_JOB_PREFIXES, SUBSET_DIR, cut_subset
from services.matching.taxonomy.importer import import_taxonomy
from services.matching.taxonomy.progress import Progress
from services.matching.taxonomy.sources import SourceError
from shared.db import create_engine


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.matching.taxonomy",
        description="The ESCO taxonomy of the matching service.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "import",
        help="import the official ESCO CSV export (zips or unpacked directories)",
        description="Import ESCO skills, occupations, ISCO groups, the skills hierarchy, the "
        "occupation-skill relations and the labels of every language present. Re-running "
        "replaces what the files hold. ESCO classification, European Commission.",
    )
    command.add_argument("sources", nargs="+", help="ESCO CSV zip files or directories")
    command.add_argument(
        "--database-url",
        default=os.environ.get("PONTE_MATCHING_DATABASE_URL", ""),
        help="the matching database (default: $PONTE_MATCHING_DATABASE_URL)",
    )
    command.add_argument(
        "--esco-version",
        default=None,
        help="the ESCO version imported (default: from the archives' names, e.g. v1.1.1)",
    )
    cut = commands.add_parser(
        "cut-subset",
        help="write a subset of the official export, in its format, for the tests and the demo",
        description="Keep the occupations of some ISCO-08 groups, their skills and the skills' "
        "broader chain, the ISCO groups above them and their relations; write them in the "
        "official files' format with a PROVENANCE.md.",
    )
    cut.add_argument("sources", nargs="+", help="the official ESCO CSV zips or directories")
    cut.add_argument("--out", type=Path, default=SUBSET_DIR, help=f"default: {SUBSET_DIR}")
    cut.add_argument(
        "--isco",
        default=",".join(FIRST_JOB_PREFIXES),
        help="comma-separated ISCO-08 code prefixes (default: the first jobs of newcomers)",
    )
    cut.add_argument(
        "--keep-long-text",
        action="store_true",
        help="keep the descriptions, definitions and scope notes (emptied by default)",
    )
    return parser


async def _import(arguments: argparse.Namespace) -> dict[str, int]:
    engine = create_engine(arguments.database_url, pool_size=1, max_overflow=0)
    try:
        return await import_taxonomy(
            engine,
            arguments.sources,
            version=arguments.esco_version,
            progress=Progress(sys.stderr),
        )
    finally:
        await engine.dispose()


def _cut(arguments: argparse.Namespace) -> int:
    prefixes = [code.strip() for code in arguments.isco.split(",") if code.strip()]
    command = ["python", "-m", "services.matching.taxonomy", "cut-subset"]
    command += [Path(source).name for source in arguments.sources]
    if arguments.isco != ",".join(FIRST_JOB_PREFIXES):
        command += ["--isco", ",".join(prefixes)]
    if arguments.keep_long_text:
        command.append("--keep-long-text")
    try:
        counts = cut_subset(
            arguments.sources,
            arguments.out,
            prefixes=prefixes,
            keep_long_text=arguments.keep_long_text,
            command=command,
        )
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(counts, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "cut-subset":
        return _cut(arguments)
    if not arguments.database_url:
        print("Set --database-url or PONTE_MATCHING_DATABASE_URL.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        counts = asyncio.run(_import(arguments))
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(counts, indent=2, sort_keys=True))
    print(f"imported in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
