"""The committed ESCO subset for the matching tests: imported into a test database with the real
import command's code, and read with the engine's own reader.

ESCO classification, European Commission, v1.1.1.
"""

from __future__ import annotations

import contextlib
import csv
import functools
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from services.matching.api import taxonomy as taxonomy_api
from services.matching.app import create_app
from services.matching.domain.taxonomy import Taxonomy, load_csv
from services.matching.settings import MatchingSettings
from services.matching.taxonomy.importer import import_taxonomy
from shared.db import create_engine
from shared.testing.tokens import TestIssuer
from tests.support import serve

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ROOT / "services" / "matching" / "taxonomy" / "subset"
# The official archives the subset was cut from (absent on machines without them).
OFFICIAL = Path("/work/shared/data/esco")


async def import_subset(database_url: str, *extra: Path) -> dict[str, int]:
    """Import the subset (and ``extra`` ESCO files, e.g. another language's) into a migrated
    matching database; returns the rows written per table."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        return await import_taxonomy(engine, [SUBSET, *extra])
    finally:
        await engine.dispose()


@functools.cache
def subset_taxonomy() -> Taxonomy:
    """The engine's view of the subset, read from the CSV files (not from a database)."""
    return load_csv(SUBSET)


def subset_rows(name: str) -> list[dict[str, str]]:
    """The rows of one of the subset's files, e.g. ``skills_en.csv``."""
    with (SUBSET / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def official_archives() -> list[Path]:
    return sorted(OFFICIAL.glob("*.zip")) if OFFICIAL.is_dir() else []


@contextlib.asynccontextmanager
async def serve_matching(database_url: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """The matching app on ``database_url`` (migrated), with the taxonomy routes."""
    settings = MatchingSettings(
        database_url=database_url,
        migrate_on_start=False,
        intake_url="http://127.0.0.1:9",  # nothing listens: these tests never call out
        pathways_url="http://127.0.0.1:9",
    )
    app = create_app(settings, verifier=issuer.verifier_factory())
    # Until app.py includes the taxonomy router itself (FastAPI >= 0.16x keeps included routers
    # whole, older versions copied their routes).
    included = any(
        getattr(route, "original_router", None) is taxonomy_api.router
        or getattr(route, "path", None) == "/api/v1/taxonomy/skills"
        for route in app.api.routes
    )
    if not included:
        app.api.include_router(taxonomy_api.router)
    async with serve(app) as client:
        yield client
