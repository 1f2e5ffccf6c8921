"""Small-cell suppression of published counts of people: every aggregate a service shows beyond
the organisation that follows those people (the indicators report, a cluster's dashboard) goes
through ``suppress`` so that no cell points at one to four people."""

from __future__ import annotations

from collections.abc import Mapping

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


def suppress_counts(counts: Mapping[str, object]) -> dict[str, object]:
    """``suppress`` applied to every integer of a nested dict of counts (only counts: a median of
    3 days is not a person and must not go through this)."""
    shown: dict[str, object] = {}
    for key, value in counts.items():
        if isinstance(value, Mapping):
            shown[key] = suppress_counts(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            shown[key] = suppress(value)
        else:
            shown[key] = value
    return shown
