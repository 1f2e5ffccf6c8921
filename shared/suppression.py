"""Small-cell suppression of published counts of people: every aggregate a service shows beyond
the organisation that follows those people (the indicators report, a cluster's dashboard) goes
through ``suppress`` so that no cell points at one to four people, and every breakdown published
beside its total through ``protect_line``, so that no hidden cell can be worked out from the
total and the cells shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SMALL_CELL = 5
SUPPRESSED = "<5"
# A cell hidden only so that a small one cannot be derived (it counts 5 or more people), a total
# hidden when nothing else protects its line, or any cell of a breakdown of such a total.
WITHHELD = "withheld"


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


def protect_line(counts: Mapping[str, int], total: int) -> tuple[dict[str, int | str], int | str]:
    """A breakdown fit to publish beside its total (the cells partition the total): small cells
    as "<5"; then, while a reader who knows the total, the cells shown and the rule (a hidden
    small cell holds 1 to 4 people, a withheld one 5 or more and no more than the smallest cell
    shown) could narrow a small cell to fewer than its four possible values, the smallest cell
    still shown is withheld too; if none is
    left, the total is. Zeros stay shown (they point at nobody), but under a small total."""
    if total != sum(counts.values()):
        raise ValueError("the cells must add up to the total")
    if any(count < 0 for count in counts.values()):
        raise ValueError("a count cannot be negative")
    if 0 < total < SMALL_CELL:
        # A small total: every cell is "<5", zeros too (how many cells are empty would tell, with
        # four cells and a total of four, that each holds exactly one person).
        return dict.fromkeys(counts, SUPPRESSED), SUPPRESSED
    small = {key for key, count in counts.items() if 0 < count < SMALL_CELL}
    withheld: set[str] = set()
    while small and not _hidden_enough(counts, small, withheld):
        shown = [key for key in counts if key not in small | withheld and counts[key] > 0]
        if not shown:
            return _shown(counts, small, withheld), WITHHELD
        withheld.add(min(shown, key=lambda key: (counts[key], key)))
    return _shown(counts, small, withheld), suppress(total)


def protect_lines(
    lines: Mapping[str, Mapping[str, int]], total: int
) -> tuple[dict[str, dict[str, int | str]], int | str]:
    """Several breakdowns of one total (by sex, by age band...), each protected as by
    :func:`protect_line`. When one of them is protected only by withholding the total, every
    other line would give the total back (its cells add up to it) and with it the small cell; so
    then every non-empty cell of every line is withheld too (the breakdowns of that total are not
    published), and the zeros stay (they point at nobody)."""
    protected = {name: protect_line(counts, total) for name, counts in lines.items()}
    if any(shown_total == WITHHELD for _line, shown_total in protected.values()):
        hidden = {
            name: {key: WITHHELD if count else 0 for key, count in counts.items()}
            for name, counts in lines.items()
        }
        return hidden, WITHHELD
    return {name: line for name, (line, _total) in protected.items()}, suppress(total)


def _hidden_enough(counts: Mapping[str, int], small: set[str], withheld: set[str]) -> bool:
    """Whether a small cell can still be any of 1 to 4 for a reader who knows the rest and the
    rule. It is the hidden sum less the other hidden cells: at least 1 each if small, 5 if
    withheld; at most 4 if small, and, if withheld, no more than the smallest cell still shown
    (the rule withholds the smallest shown cell, so a reader knows each withheld one is no
    larger; taken as one less, ties included, to be safe). The same range for every small cell,
    and every whole number in it is possible."""
    hidden = sum(counts[key] for key in small | withheld)
    least_others = (len(small) - 1) + SMALL_CELL * len(withheld)
    shown = [count for key, count in counts.items() if key not in small | withheld and count > 0]
    small_most = (SMALL_CELL - 1) * (len(small) - 1)
    most_others: int | None = small_most
    if withheld:
        most_others = None if not shown else small_most + (min(shown) - 1) * len(withheld)
    highest = hidden - least_others
    lowest = 1 if most_others is None else hidden - most_others
    return lowest <= 1 and highest >= SMALL_CELL - 1


def _shown(counts: Mapping[str, int], small: set[str], withheld: set[str]) -> dict[str, int | str]:
    return {
        key: SUPPRESSED if key in small else WITHHELD if key in withheld else count
        for key, count in counts.items()
    }


@dataclass(frozen=True)
class Publication:
    """How a report publishes its counts: protected (``suppress``, ``protect_line``,
    ``protect_lines``), or exact, for a reader who may open every record counted (an org admin
    reading their own organisation's counts: a "<5" would hide from them only what they see)."""

    exact: bool = False

    def count(self, count: int) -> int | str:
        return count if self.exact else suppress(count)

    def line(self, counts: Mapping[str, int], total: int) -> tuple[dict[str, int | str], int | str]:
        return (dict(counts), total) if self.exact else protect_line(counts, total)

    def lines(
        self, lines: Mapping[str, Mapping[str, int]], total: int
    ) -> tuple[dict[str, dict[str, int | str]], int | str]:
        if self.exact:
            return {name: dict(counts) for name, counts in lines.items()}, total
        return protect_lines(lines, total)

    def enough(self, people: int) -> bool:
        """Whether a median or a rate over ``people`` may be shown."""
        return self.exact or people >= SMALL_CELL


PROTECTED = Publication()
