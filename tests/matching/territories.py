"""The committed cut of the official territory files, imported with the real import's code.

Territorial units: NUTS 2024 and LAU 2024 © European Union, Eurostat (GISCO); a cut of them.
"""

from __future__ import annotations

from pathlib import Path

from services.matching.territories.importer import import_territories
from shared.db import create_engine

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
