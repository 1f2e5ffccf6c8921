"""Cross-tabulated counts (of people by sex x age band x arrival band ..., of referrals by status x
reason; up to three dimensions) with every margin, and their protection before they are
published.

A table is published whole: its inner cells, and for every dimension its ``total`` level, so that
each line of the table (the cells that differ in one dimension only) adds up to the cell at its
``total``. Counts of 1 to 4 are hidden as "<5" (primary suppression); then, since a reader who
knows the margins could solve the lines for a hidden cell, each small cell is made underivable by
hiding the corners of a hypercube around it (complementary suppression, the hypercube method of
tau-argus): one partner level per dimension, another inner level or the ``total``. Adding one
person to the corners of one sign and taking one from the others keeps every line's sum, so a
second table, as consistent with what is published as the true one, exists: nobody can tell which.
Corners are chosen so that this second table keeps every hidden cell within what its marker
tells ("<5": 1 to 4; "withheld": 5 or more), and zeros, which are shown, are never corners.

Pure functions: the counts come grouped from SQL (pathways' ``db/crosstab.py``, matching's
``db/referral_report.py``), and the search is bounded by ``MAX_CELLS`` (a service runs a large
table's in its process pool).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.suppression import SMALL_CELL, SUPPRESSED, WITHHELD

TOTAL = "total"  # the margin level of every dimension
MAX_DIMENSIONS = 3
# Cells of a table with its margins: bounds the search (and the answer) whatever the territory.
MAX_CELLS = 5000
# Partner levels tried first in each dimension, the cheapest; all of them if none of those fit.
FIRST_PARTNERS = 4

Cell = tuple[str, ...]


@dataclass(frozen=True)
class CrossTab:
    dimensions: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]  # each dimension's inner levels, sorted
    counts: dict[Cell, int]  # every cell, margins included (``TOTAL`` where summed over)


class TableTooLarge(ValueError):
    def __init__(self, cells: int) -> None:
        super().__init__(cells)
        self.cells = cells


def cells_of(levels: Sequence[Sequence[str]]) -> int:
    """How many cells a table with these inner levels has, margins included."""
    count = 1
    for inner in levels:
        count *= len(inner) + 1
    return count


def cross_tabulate(dimensions: Sequence[str], rows: Iterable[tuple[Cell, int]]) -> CrossTab:
    """The table of ``rows`` (inner cells with their counts, as grouped in SQL; a cell may come
    more than once) with every margin; every combination of the levels seen is a cell, zero or
    not. ``TableTooLarge`` beyond ``MAX_CELLS``."""
    inner: dict[Cell, int] = {}
    for cell, count in rows:
        inner[cell] = inner.get(cell, 0) + count
    levels = tuple(tuple(sorted({cell[axis] for cell in inner})) for axis in range(len(dimensions)))
    size = cells_of(levels)
    if size > MAX_CELLS:
        raise TableTooLarge(size)
    counts = dict.fromkeys(itertools.product(*((*inner, TOTAL) for inner in levels)), 0)
    for cell, count in inner.items():
        # The cell adds to each margin it belongs to: every way of summing some axes over.
        for summed in itertools.product((False, True), repeat=len(dimensions)):
            counts[
                tuple(TOTAL if out else level for level, out in zip(cell, summed, strict=True))
            ] += count
    if not inner:  # nobody: the table is its grand total, 0
        counts = {(TOTAL,) * len(dimensions): 0}
    return CrossTab(tuple(dimensions), levels, counts)


def protect(table: CrossTab) -> dict[Cell, int | str]:
    """Every cell as it may be published: the count, "<5" for 1 to 4, "withheld" for a cell
    hidden so that no small one can be worked out. If some small cell has no hypercube that
    protects it, nothing is published (every cell "withheld")."""
    counts = table.counts
    small = {cell for cell, count in counts.items() if 0 < count < SMALL_CELL}
    hidden = set(small)
    covered: set[Cell] = set()
    # The most summed first: their hypercubes run through large cells, which later ones reuse.
    for cell in sorted(small, key=lambda cell: (-cell.count(TOTAL), cell)):
        if cell in covered:
            continue
        corners = _cheapest_hypercube(table, cell, hidden)
        if corners is None:
            return dict.fromkeys(counts, WITHHELD)
        hidden.update(corners)
        covered.update(corner for corner in corners if corner in small)
    return {
        cell: SUPPRESSED if cell in small else WITHHELD if cell in hidden else count
        for cell, count in counts.items()
    }


def _partners(table: CrossTab, cell: Cell, axis: int) -> list[tuple[str, int]]:
    """The levels the hypercube of ``cell`` may take on ``axis``, with the sign its corners
    there take: another inner level moves against the cell (-1), the total with it (+1)."""
    level = cell[axis]
    if level == TOTAL:
        return [(other, 1) for other in table.levels[axis]]
    return [(other, -1) for other in table.levels[axis] if other != level] + [(TOTAL, 1)]


def _corners(cell: Cell, choice: Sequence[tuple[str, int]]) -> list[tuple[Cell, int]]:
    """The hypercube's corners with their signs: the cell (+1) and every way of moving it to
    the partners chosen, the sign the product of the moves'."""
    corners = []
    for moved in itertools.product((False, True), repeat=len(cell)):
        sign = 1
        corner = list(cell)
        for axis, move in enumerate(moved):
            if move:
                corner[axis], step = choice[axis]
                sign *= step
        corners.append((tuple(corner), sign))
    return corners


def _within_marker(count: int, changed: int) -> bool:
    """Whether ``changed`` is a value the marker of a hidden cell of ``count`` allows."""
    if count < SMALL_CELL:
        return 1 <= changed < SMALL_CELL
    return changed >= SMALL_CELL


def _cost(
    table: CrossTab, cell: Cell, choice: Sequence[tuple[str, int]], hidden: set[Cell]
) -> int | None:
    """What hiding the hypercube costs (the people in corners not hidden yet), or None when it
    cannot protect: a corner is zero, or one person moved would take a corner out of what its
    marker tells, whichever way."""
    corners = _corners(cell, choice)
    counts = table.counts
    if any(counts[corner] == 0 for corner, _sign in corners):
        return None
    if not any(
        all(_within_marker(counts[corner], counts[corner] + way * sign) for corner, sign in corners)
        for way in (1, -1)
    ):
        return None
    return sum(counts[corner] for corner, _sign in corners if corner not in hidden)


def _ranked_partners(
    table: CrossTab, cell: Cell, axis: int, hidden: set[Cell]
) -> list[tuple[str, int]]:
    """The partners on ``axis``, cheapest first: those whose cell is already hidden, then the
    smallest counts."""

    def cost(option: tuple[str, int]) -> tuple[bool, int]:
        neighbour = (*cell[:axis], option[0], *cell[axis + 1 :])
        return neighbour not in hidden, table.counts[neighbour]

    return sorted(_partners(table, cell, axis), key=cost)


def _cheapest_hypercube(table: CrossTab, cell: Cell, hidden: set[Cell]) -> list[Cell] | None:
    """The corners of the cheapest hypercube that protects ``cell``: among the cheapest partners
    of each dimension first, then among all of them."""
    ranked = [_ranked_partners(table, cell, axis, hidden) for axis in range(len(cell))]
    for limit in (FIRST_PARTNERS, None):
        best: tuple[int, Sequence[tuple[str, int]]] | None = None
        for choice in itertools.product(*(choices[:limit] for choices in ranked)):
            cost = _cost(table, cell, choice, hidden)
            if cost is not None and (best is None or cost < best[0]):
                best = (cost, choice)
        if best is not None:
            return [corner for corner, _sign in _corners(cell, best[1])]
        if all(len(choices) <= FIRST_PARTNERS for choices in ranked):
            break
    return None


def shown(table: CrossTab, exact: bool) -> dict[Cell, int | str]:
    """Every cell as it may be published: exact (a reader who may open every record counted),
    or protected as a whole table (``protect``)."""
    return dict(table.counts) if exact else protect(table)


def published(table: CrossTab, shown: Mapping[Cell, int | str]) -> dict[str, Any]:
    """The table as a report publishes it: each dimension's levels, and the cells (each
    dimension's level and the count as ``shown``), inner cells first, then the margins, each
    group in the levels' order."""

    def order(cell: Cell) -> tuple[int, Cell]:
        return cell.count(TOTAL), cell

    return {
        "levels": {
            name: list(levels) for name, levels in zip(table.dimensions, table.levels, strict=True)
        },
        "cells": [
            {**dict(zip(table.dimensions, cell, strict=True)), "count": shown[cell]}
            for cell in sorted(table.counts, key=order)
        ],
    }


def small_cells(exact: bool) -> str:
    """What a report says of how its table was published."""
    if exact:
        return "exact: your organisation's own counts, for its org admin"
    return (
        'counts of 1 to 4 show as "<5"; cells hidden so that none of them can be worked out '
        'from the table and its margins show as "withheld" (5 or more); if no such pattern '
        "exists every cell is withheld"
    )


def csv_rows(
    dimensions: Sequence[str],
    cells: Iterable[Mapping[str, Any]],
    text: Callable[[Any], str] = str,
) -> list[list[str]]:
    """A published table as one row per cell: each dimension's level, then ``count`` (the
    header first), as a spreadsheet's pivot table reads it; ``text`` writes a value."""
    names = [*dimensions, "count"]
    return [names] + [[text(cell[name]) for name in names] for cell in cells]
