"""``python -m services.intake.territories resolve [--database-url URL] [--matching-url URL]
[--report FILE]``

After matching imported the territories: gives each active record that names a municipality but
no territory code the code of the one municipality (LAU) with that name, case and accents aside,
as matching reads it (``POST /internal/territories/resolve``, with ``PONTE_INTERNAL_TOKEN``).
Each change is a new version of the record with its history (actor
``system:territories-resolve``) and a ``beneficiary.updated`` event, which the running intake
service relays (so matching's read model follows). Prints the records it could not resolve with
the reason (``no_such_name``, or ``ambiguous`` and the municipalities with that name), also as
CSV in ``FILE``; then the counts as JSON. Run it again after fixing names: it is idempotent.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from services.intake.service.territories import Report, resolve_missing
from services.intake.settings import IntakeSettings
from shared.db import create_engine, session_factory
from shared.territory_client import MatchingUnavailable, TerritoryClient, print_report


def _parser(settings: IntakeSettings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.intake.territories",
        description="Territory codes of the intake service's records.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "resolve",
        help="give records without a territory code the code of their municipality",
        description="Reads each municipality name as the one LAU with that name; lists the "
        "records it could not resolve, with the reason.",
    )
    command.add_argument("--report", type=Path, help="also write the unresolved records as CSV")
    command.add_argument(
        "--database-url",
        default=settings.database_url,
        help="the intake database (default: $PONTE_INTAKE_DATABASE_URL)",
    )
    command.add_argument(
        "--matching-url",
        default=settings.matching_url,
        help="the matching service (default: $PONTE_INTAKE_MATCHING_URL)",
    )
    return parser


async def _resolve(arguments: argparse.Namespace, token: str) -> Report:
    engine = create_engine(arguments.database_url, pool_size=1, max_overflow=0)
    try:
        async with httpx.AsyncClient() as http:
            matching = TerritoryClient(http, arguments.matching_url, token, timeout=60.0)
            async with session_factory(engine)() as session, session.begin():
                return await resolve_missing(session, matching)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    settings = IntakeSettings()
    arguments = _parser(settings).parse_args(argv)
    if not arguments.database_url or not settings.internal_token:
        print(
            "Set --database-url (or PONTE_INTAKE_DATABASE_URL) and PONTE_INTERNAL_TOKEN.",
            file=sys.stderr,
        )
        return 2
    try:
        report = asyncio.run(_resolve(arguments, settings.internal_token))
    except MatchingUnavailable as error:
        print(f"error: {error.detail} ({arguments.matching_url})", file=sys.stderr)
        return 1
    print_report("beneficiary", report.resolved, report.unresolved, arguments.report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
