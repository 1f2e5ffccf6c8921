"""Territories: the official statistical and administrative units, as Ponte codes them.

A NUTS region keeps its NUTS 2024 code (``ITI43``), unique across Europe. A municipality (a LAU)
is coded ``<country>_<LAU code>`` (``IT_058091``), exactly Eurostat's ``EU LAU CODE`` and GISCO's
``GISCO_ID``: a national LAU code alone is unique only within its country. Levels are NUTS's 0 to
3, and 4 for a LAU (one below its NUTS 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from services.matching.domain.labels import search_key

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


@dataclass(frozen=True)
class Place:
    """A municipality (LAU) a name may stand for, with its normalised names."""

    code: str
    name_latin: str
    parent_code: str | None
    keys: frozenset[str]


@dataclass(frozen=True)
class NameResolution:
    """A free-text place name read as a territory: the code of the one municipality with that
    name (case, accents and punctuation aside), else none, with the reason."""

    name: str
    candidates: tuple[Place, ...]

    @property
    def code(self) -> str | None:
        return self.candidates[0].code if len(self.candidates) == 1 else None

    @property
    def reason(self) -> str | None:
        """``no_such_name``, ``ambiguous`` (several municipalities), or None when resolved."""
        if not self.candidates:
            return NO_SUCH_NAME
        return AMBIGUOUS if len(self.candidates) > 1 else None


NO_SUCH_NAME = "no_such_name"
AMBIGUOUS = "ambiguous"


def resolve_names(names: Iterable[str], places: Iterable[Place]) -> dict[str, NameResolution]:
    """Each name, read against the municipalities whose names matched one of the names' keys."""
    listed = list(places)
    resolved = {}
    for name in names:
        key = search_key(name)
        matching = tuple(place for place in listed if key and key in place.keys)
        resolved[name] = NameResolution(name=name, candidates=matching)
    return resolved
