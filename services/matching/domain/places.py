"""Where a person lives and where an offer is, as territory codes: how close two places are by
the smallest unit they share (the same municipality, the same NUTS 3, the same NUTS 2, the same
country), for the ranking's distance criterion when there are no coordinates.

A ``Place`` is a code with its ancestors resolved (``db/places.py`` loads the chains of the codes
in use with the indexes), so ranking compares codes without reading the territory table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# The units compared, finest first, by their level in the territory table (4: a LAU). NUTS 1
# counts as the country: a macro-region says little about a commute.
LEVELS = (4, 3, 2, 0)
# The grade is the index of the finest unit both places share; ``ELSEWHERE``: none at all.
SAME_MUNICIPALITY, SAME_NUTS3, SAME_NUTS2, SAME_COUNTRY, ELSEWHERE = range(5)
UNKNOWN = -1  # one side has no code: the names are compared instead
WORDS = (
    "same municipality",
    "same NUTS 3 region",
    "same NUTS 2 region",
    "same country",
    "different countries",
)


@dataclass(frozen=True)
class Place:
    """A territory code and, for each of ``LEVELS``, the code and name of the unit at that
    level that contains it (None where the code is coarser than the level)."""

    code: str
    units: tuple[str | None, ...]
    names: tuple[str | None, ...]


def place(chain: Iterable[tuple[str, int, str]]) -> Place | None:
    """A place from a unit's chain, the unit first: (code, level, Latin name) up to its
    country. None for an empty chain (an unknown code)."""
    rows = list(chain)
    if not rows:
        return None
    units: list[str | None] = [None] * len(LEVELS)
    names: list[str | None] = [None] * len(LEVELS)
    for code, level, name in rows:
        if level in LEVELS:
            units[LEVELS.index(level)] = code
            names[LEVELS.index(level)] = name
    return Place(rows[0][0], tuple(units), tuple(names))


def places(chains: Mapping[str, Iterable[tuple[str, int, str]]]) -> dict[str, Place]:
    """``place`` of each code's chain, dropping unknown codes."""
    found = {code: place(chain) for code, chain in chains.items()}
    return {code: value for code, value in found.items() if value is not None}


def grade(mine: Place | None, theirs: Place | None) -> int:
    """The finest unit two places share (``SAME_MUNICIPALITY`` .. ``ELSEWHERE``), or ``UNKNOWN``
    when one has no place."""
    if mine is None or theirs is None:
        return UNKNOWN
    for number, (a, b) in enumerate(zip(mine.units, theirs.units, strict=True)):
        if a is not None and a == b:
            return number
    return ELSEWHERE


def detail(mine: Place, theirs: Place, shared: int) -> str:
    """The words of a grade: which unit they share, by name."""
    if shared == ELSEWHERE:
        return f"{WORDS[shared]}: {mine.units[-1] or mine.code}, {theirs.units[-1] or theirs.code}"
    return f"{WORDS[shared]}: {mine.names[shared] or mine.units[shared]}"


class Units:
    """Integer ids of the units at each level, shared by the two sides of an index's arrays."""

    def __init__(self) -> None:
        self.ids: list[dict[str, int]] = [{} for _ in LEVELS]

    def add(self, where: Place | None) -> list[int]:
        """The place's id at each level (-1: no unit at that level, or no place)."""
        if where is None:
            return [-1] * len(LEVELS)
        return [
            -1 if unit is None else ids.setdefault(unit, len(ids))
            for ids, unit in zip(self.ids, where.units, strict=True)
        ]

    def find(self, where: Place | None) -> list[int]:
        """The place's id at each level, without adding: -2 for a unit the index lacks (it
        matches nothing), -1 for none."""
        if where is None:
            return [-1] * len(LEVELS)
        return [
            -1 if unit is None else ids.get(unit, -2)
            for ids, unit in zip(self.ids, where.units, strict=True)
        ]


def grades(
    units: NDArray[np.int64], placed: NDArray[np.bool_], mine: Sequence[int] | None
) -> NDArray[np.int64]:
    """``grade`` of one place (its ``Units`` ids, None: no place) against many: ``units`` holds
    their ids (levels x items), ``placed`` which of them have a place."""
    size = units.shape[1]
    if mine is None:
        return np.full(size, UNKNOWN, dtype=np.int64)
    result = np.full(size, ELSEWHERE, dtype=np.int64)
    for number in reversed(range(len(LEVELS))):  # coarse to fine: the finest shared wins
        if mine[number] >= 0:
            result[units[number] == mine[number]] = number
    result[~placed] = UNKNOWN
    return result


def unit_arrays(
    units: Units, where: Sequence[Place | None]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """The ids of many places (levels x items), and which have a place."""
    ids = np.array([units.add(item) for item in where], dtype=np.int64).reshape(-1, len(LEVELS))
    return ids.T.copy(), np.array([item is not None for item in where], dtype=bool)
