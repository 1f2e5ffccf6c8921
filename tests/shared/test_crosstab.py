"""Cross-tabulated counts and their complementary suppression (``domain.crosstab``), checked by an
auditor that knows what a reader knows: every number shown, every line's sum (a cell at a
dimension's ``total`` is the sum of that line's inner cells) and what a marker says ("<5": 1 to 4
people; "withheld": 5 or more). For each hidden cell it computes, by integer programming over all
hidden cells at once (scipy's ``milp``), the smallest and the largest count consistent with the
table: they must differ, or the cell could be recovered from the table and its margins."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from shared.crosstab import (
    MAX_CELLS,
    TOTAL,
    Cell,
    CrossTab,
    TableTooLarge,
    cross_tabulate,
    protect,
    published,
)
from shared.suppression import SMALL_CELL, SUPPRESSED, WITHHELD


def recoverable(table: CrossTab, shown: dict[Cell, int | str]) -> dict[Cell, float]:
    """The hidden cells a reader could work out exactly, with the value they would find."""
    hidden = [cell for cell, value in shown.items() if not isinstance(value, int)]
    if not hidden:
        return {}
    index = {cell: number for number, cell in enumerate(hidden)}
    rows, sums = [], []
    for cell in table.counts:  # each line: its inner cells less the cell at its total
        for axis, level in enumerate(cell):
            if level != TOTAL:
                continue
            row, known = np.zeros(len(hidden)), 0
            terms = [(cell, -1)] + [
                ((*cell[:axis], inner, *cell[axis + 1 :]), 1) for inner in table.levels[axis]
            ]
            for term, sign in terms:
                if term in index:
                    row[index[term]] += sign
                else:
                    known += sign * int(shown[term])
            rows.append(row)
            sums.append(-known)
    low = [1 if shown[cell] == SUPPRESSED else SMALL_CELL for cell in hidden]
    high = [SMALL_CELL - 1 if shown[cell] == SUPPRESSED else math.inf for cell in hidden]
    constraints = [LinearConstraint(np.array(rows), sums, sums)] if rows else []
    bounds, integral = Bounds(low, high), np.ones(len(hidden))
    feasible = milp(
        np.zeros(len(hidden)), integrality=integral, bounds=bounds, constraints=constraints
    )
    assert feasible.success, feasible.message  # the true table is always a solution
    found: dict[Cell, float] = {}
    for cell, number in index.items():
        extremes: list[float] = []
        for direction in (1, -1):
            objective = np.zeros(len(hidden))
            objective[number] = direction
            result = milp(objective, integrality=integral, bounds=bounds, constraints=constraints)
            # Feasible, so no optimum means unbounded: a withheld cell of any size.
            extremes.append(round(result.x[number]) if result.success else math.inf)
        if extremes[0] == extremes[1]:
            found[cell] = extremes[0]
    return found


def table_from(dimensions: int, counts: list[int], sizes: list[int]) -> CrossTab:
    levels = [[f"l{axis}{level}" for level in range(size)] for axis, size in enumerate(sizes)]
    inner = list(itertools.product(*levels))
    rows = [(cell, count) for cell, count in zip(inner, counts, strict=True)]
    return cross_tabulate([f"d{axis}" for axis in range(dimensions)], rows)


@st.composite
def tables(draw: st.DrawFn) -> CrossTab:
    dimensions = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 4 if dimensions < 3 else 3)) for _ in range(dimensions)]
    cells = math.prod(sizes)
    # Mostly small counts and zeros, as in a territory's table, with some large ones.
    count = st.one_of(st.integers(0, 4), st.integers(0, 12), st.integers(20, 60))
    counts = draw(st.lists(count, min_size=cells, max_size=cells))
    return table_from(dimensions, counts, sizes)


@settings(max_examples=150, deadline=None)
@given(tables())
def test_no_hidden_cell_can_be_worked_out_from_the_table_and_its_margins(table: CrossTab) -> None:
    shown = protect(table)
    if all(value == WITHHELD for value in shown.values()):
        return  # nothing published: nothing to work out
    for cell, value in shown.items():  # what is shown is true, and every small cell is hidden
        count = table.counts[cell]
        assert value == count if isinstance(value, int) else count > 0, (cell, value, count)
        assert not 0 < count < SMALL_CELL or value == SUPPRESSED, (cell, value)
        assert value != WITHHELD or count >= SMALL_CELL, (cell, value)
    assert recoverable(table, shown) == {}, (table.counts, shown)


def test_the_auditor_finds_a_small_cell_that_primary_suppression_alone_leaves_recoverable() -> None:
    table = table_from(2, [3, 20, 30, 40], [2, 2])
    primary = {
        cell: SUPPRESSED if 0 < count < SMALL_CELL else count
        for cell, count in table.counts.items()
    }
    assert recoverable(table, primary) == {("l00", "l10"): 3}
    shown = protect(table)
    assert recoverable(table, shown) == {}
    # The hypercube: the small cell, its row's other cell and its column's, and the one across.
    hidden = {cell for cell, value in shown.items() if not isinstance(value, int)}
    assert {("l00", "l10"), ("l00", "l11"), ("l01", "l10"), ("l01", "l11")} <= hidden


def test_every_margin_is_the_sum_of_its_line() -> None:
    rows = [(("female", "18-24"), 7), (("male", "18-24"), 2), (("female", "25-29"), 5)]
    table = cross_tabulate(["sex", "age_band"], [*rows, (("female", "18-24"), 1)])
    assert table.levels == (("female", "male"), ("18-24", "25-29"))
    assert table.counts[("female", "18-24")] == 8  # a cell grouped twice is added up
    assert table.counts[("male", "25-29")] == 0  # every combination is a cell
    assert table.counts[("female", TOTAL)] == 13
    assert table.counts[(TOTAL, "18-24")] == 10
    assert table.counts[(TOTAL, TOTAL)] == 15
    assert len(table.counts) == 9


def test_a_table_without_small_cells_is_published_as_counted() -> None:
    table = table_from(2, [10, 20, 0, 40], [2, 2])
    assert protect(table) == table.counts


def test_the_cells_are_listed_inner_first_then_the_margins() -> None:
    table = table_from(2, [10, 20, 30, 40], [2, 2])
    cells = published(table, protect(table))["cells"]
    assert cells[0] == {"d0": "l00", "d1": "l10", "count": 10}
    assert cells[-1] == {"d0": TOTAL, "d1": TOTAL, "count": 100}
    assert [cell["count"] for cell in cells[4:8]] == [
        30,
        70,
        40,
        60,
    ]  # by the first dimension's margin


def test_nobody_gives_a_table_of_its_grand_total() -> None:
    table = cross_tabulate(["sex", "age_band"], [])
    assert table.counts == {(TOTAL, TOTAL): 0}
    assert protect(table) == {(TOTAL, TOTAL): 0}


def test_a_table_beyond_the_bound_is_refused_before_any_search() -> None:
    rows = [((f"m{number}", f"n{number % 80}"), 1) for number in range(400)]
    with pytest.raises(TableTooLarge) as refused:
        cross_tabulate(["municipality", "nationality"], rows)
    assert refused.value.cells > MAX_CELLS


def test_a_territory_table_keeps_most_of_its_people_shown() -> None:
    """Protection hides what it must, not everything: a sex x age band x arrival band table of a
    few hundred people, with small cells here and there, keeps its large cells and margins."""
    rng = random.Random(7)
    counts = [rng.choice([0, 1, 2, 3, 8, 15, 30]) for _ in range(2 * 6 * 4)]
    table = table_from(3, counts, [2, 6, 4])
    shown = protect(table)
    assert recoverable(table, shown) == {}
    hidden = sum(table.counts[cell] for cell, value in shown.items() if not isinstance(value, int))
    assert shown[(TOTAL, TOTAL, TOTAL)] == table.counts[(TOTAL, TOTAL, TOTAL)]
    assert hidden < 0.35 * sum(table.counts.values())
