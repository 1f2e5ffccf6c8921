"""Small-cell suppression: the rule every published count goes through (pathways' indicators,
matching's territorial analysis and cluster dashboard)."""

from __future__ import annotations

SMALL_CELL = 5
SUPPRESSED = "<5"


def suppress(count: int) -> int | str:
    """A count fit to publish: "<5" for 1 to 4 people, the count otherwise.

    Small cells would let a reader who knows a municipality or a nationality re-identify people.
    Zero is shown as 0: it points at nobody, and hiding it would make every empty cell look like
    a suppressed one. This is primary suppression only: a total shown next to a single suppressed
    cell still reveals it, so report totals computed from the data, not from the shown cells.
    """
    if count < 0:
        raise ValueError(f"a count cannot be negative: {count}")
    return SUPPRESSED if 0 < count < SMALL_CELL else count
