"""Small-cell suppression, age bands, medians, retention and the CSV rows of the indicators."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.pathways.domain.indicators import (
    CSV_HEADER,
    age_band,
    arrival_band,
    median,
    retention,
    to_csv_rows,
)
from shared.suppression import SMALL_CELL, suppress, suppress_counts

ON = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("count", "shown"), [(0, 0), (1, "<5"), (2, "<5"), (4, "<5"), (5, 5), (6, 6), (1234, 1234)]
)
def test_suppress(count: int, shown: int | str) -> None:
    assert suppress(count) == shown


def test_suppress_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match="negative"):
        suppress(-1)


@given(st.integers(min_value=0, max_value=10**9))
def test_suppress_never_shows_a_small_count(count: int) -> None:
    shown = suppress(count)
    assert shown not in range(1, SMALL_CELL)
    assert shown == count or (shown == "<5" and 0 < count < SMALL_CELL)


def test_suppress_counts_walks_nested_counts() -> None:
    counts = {"by_sex": {"female": 12, "male": 3, "other": 0}, "total": 15, "note": "x", "ok": True}
    assert suppress_counts(counts) == {
        "by_sex": {"female": 12, "male": "<5", "other": 0},
        "total": 15,
        "note": "x",
        "ok": True,
    }


@pytest.mark.parametrize(
    ("birth_year", "band"),
    [
        (None, "unknown"),
        (2011, "unknown"),
        (2030, "unknown"),
        (2010, "15-17"),
        (2008, "15-17"),
        (2007, "18-24"),
        (2001, "18-24"),
        (2000, "25-29"),
        (1996, "25-29"),
        (1995, "30-39"),
        (1986, "30-39"),
        (1985, "40-54"),
        (1971, "40-54"),
        (1970, "55+"),
        (1930, "55+"),
    ],
)
def test_age_band(birth_year: int | None, band: str) -> None:
    assert age_band(birth_year, ON) == band


def test_median() -> None:
    assert median([]) is None
    assert median([7]) == 7.0
    assert median([30, 10, 20]) == 20.0
    assert median(iter([1, 2, 3, 10])) == 2.5


def test_retention() -> None:
    rows = [(3, True), (3, True), (3, False), (3, None), (6, True), (6, None), (24, False)]
    assert retention(rows) == {
        3: {"due": 4, "recorded": 3, "in_work": 2, "rate": 2 / 3},
        6: {"due": 2, "recorded": 1, "in_work": 1, "rate": 1.0},
        12: {"due": 0, "recorded": 0, "in_work": 0, "rate": None},
        24: {"due": 1, "recorded": 1, "in_work": 0, "rate": 0.0},
    }
    assert list(retention([])) == [3, 6, 12]


@given(st.lists(st.tuples(st.sampled_from([3, 6, 12]), st.one_of(st.none(), st.booleans()))))
def test_retention_counts_add_up(rows: list[tuple[int, bool | None]]) -> None:
    cells = retention(rows)
    assert sum(cell["due"] for cell in cells.values()) == len(rows)
    for months, cell in cells.items():
        assert cell["in_work"] <= cell["recorded"] <= cell["due"]
        assert cell["in_work"] == sum(1 for m, w in rows if m == months and w)
        if cell["recorded"]:
            assert cell["rate"] == cell["in_work"] / cell["recorded"]
        else:
            assert cell["rate"] is None


def test_to_csv_rows() -> None:
    report: dict[str, Any] = {
        "period": {"from": date(2025, 1, 1), "to": date(2025, 6, 30)},
        "people": {"total": 40, "by_sex": {"female": 12, "male": "<5"}},
        "transitions": {"informal": {"formal_employment": 7}},
        "median_days_to_first_formal": 42.5,
        "retention": {3: {"due": 10, "rate": 2 / 3}, 12: {"rate": None}},
        "municipality": {"=HYPERLINK(1)": 6, "-Roma": 5},
        "flags": [True, False],
        "empty": {},
    }
    assert to_csv_rows(report) == [
        CSV_HEADER,
        ["period", "from", "", "2025-01-01"],
        ["period", "to", "", "2025-06-30"],
        ["people", "total", "", "40"],
        ["people", "by_sex", "female", "12"],
        ["people", "by_sex", "male", "<5"],
        ["transitions", "informal", "formal_employment", "7"],
        ["median_days_to_first_formal", "", "", "42.5"],
        ["retention", "3", "due", "10"],
        ["retention", "3", "rate", "0.6667"],
        ["retention", "12", "rate", ""],
        ["municipality", "'=HYPERLINK(1)", "", "6"],
        ["municipality", "'-Roma", "", "5"],
        ["flags", "0", "", "true"],
        ["flags", "1", "", "false"],
    ]


def test_deeper_paths_join_the_middle_keys() -> None:
    assert to_csv_rows({"actions": {"by_type": {"internship": {"done": 5}}}})[1] == [
        "actions",
        "by_type.internship",
        "done",
        "5",
    ]


keys = st.text(min_size=1, max_size=8)
reports = st.recursive(
    st.one_of(st.integers(0, 10**6), st.just("<5"), st.none()),
    lambda children: st.dictionaries(keys, children, max_size=4),
    max_leaves=30,
)


def leaf_count(node: object) -> int:
    if isinstance(node, dict):
        return sum(leaf_count(child) for child in node.values())
    return 1


@given(st.dictionaries(keys, reports, max_size=5))
def test_every_leaf_is_one_row_of_four_cells(report: dict[str, Any]) -> None:
    rows = to_csv_rows(report)
    assert rows[0] == CSV_HEADER
    assert len(rows) == 1 + sum(leaf_count(child) for child in report.values())
    for row in rows:
        assert len(row) == 4
        assert all(isinstance(cell, str) for cell in row)
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row[:3])


@pytest.mark.parametrize(
    ("arrived", "band"),
    [
        (None, "unknown"),
        (date(2025, 1, 1), "<1"),  # five months before ON
        (date(2024, 7, 1), "<1"),  # eleven months
        (date(2024, 6, 1), "1-2"),  # twelve months: a whole year
        (date(2023, 7, 1), "1-2"),
        (date(2023, 6, 1), "2-5"),
        (date(2020, 7, 1), "2-5"),
        (date(2020, 6, 1), "5+"),
        (date(2025, 7, 1), "unknown"),  # after the date asked about: an error, not a band
    ],
)
def test_arrival_band_in_whole_months(arrived: date | None, band: str) -> None:
    assert arrival_band(arrived, ON) == band
