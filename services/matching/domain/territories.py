"""Territories: the official statistical and administrative units, as Ponte codes them.

A NUTS region keeps its NUTS 2024 code (``ITI43``), unique across Europe. A municipality (a LAU)
is coded ``<country>_<LAU code>`` (``IT_058091``), exactly Eurostat's ``EU LAU CODE`` and GISCO's
``GISCO_ID``: a national LAU code alone is unique only within its country. Levels are NUTS's 0 to
3, and 4 for a LAU (one below its NUTS 3).
"""

from __future__ import annotations

from enum import StrEnum

NUTS_LEVELS = (0, 1, 2, 3)
LAU_LEVEL = 4
# A NUTS code, or a country and a LAU code (no "/", so that every code fits in a URL path).
CODE_PATTERN = r"^[A-Z]{2}(?:[A-Z0-9]{1,3}|_[A-Za-z0-9][A-Za-z0-9_.\-]{0,31})?$"


class Scheme(StrEnum):
    NUTS = "nuts"
    LAU = "lau"


def territory_code(scheme: Scheme, country: str, code: str) -> str:
    """Ponte's code of a unit: the NUTS code, or ``<country>_<LAU code>``."""
    return code if scheme is Scheme.NUTS else f"{country}_{code}"
