"""Building blocks of the indicators report (small-cell suppression is ``shared.suppression``):
age bands, medians, retention after placement, and the flat rows of its CSV form for funders.

Pure functions over numbers the repository has already counted; the report's shape (nested dicts of
counts) is the API's, and nothing here depends on it beyond "a dict of dicts with values at the
leaves".
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypedDict

from services.pathways.domain.employment import FOLLOW_UP_MONTHS
from shared.crosstab import csv_rows

# (lowest age, band) from the oldest band down; the 18-29 group that LIME targeted stays
# recoverable as 18-24 plus 25-29.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (55, "55+"),
    (40, "40-54"),
    (30, "30-39"),
    (25, "25-29"),
    (18, "18-24"),
    (15, "15-17"),
)
UNKNOWN = "unknown"  # a value not recorded
UNKNOWN_AGE = UNKNOWN
# Years since arrival (the bands; the EU Action Plan's "recent arrival" is under 5)
ARRIVAL_BANDS: tuple[tuple[float, str], ...] = ((5, "5+"), (2, "2-5"), (1, "1-2"), (0, "<1"))
CSV_HEADER = ["section", "dimension", "value", "count"]


def age_band(birth_year: int | None, on: date) -> str:
    """The age band of someone born in ``birth_year``, as of ``on``.

    With only the year known, the age is the one reached during ``on``'s year. Ages under 15 are
    "unknown": labour pathways start at working age, so a younger age is a data error.
    """
    if birth_year is None:
        return UNKNOWN_AGE
    age = on.year - birth_year
    for lowest, band in AGE_BANDS:
        if age >= lowest:
            return band
    return UNKNOWN_AGE


def arrival_band(arrival_month: date | None, on: date) -> str:
    """How long ago someone who arrived in ``arrival_month`` arrived, as of ``on``, in whole
    months: "<1", "1-2", "2-5" or "5+" years ("unknown" without the date, or a date after
    ``on``)."""
    if arrival_month is None:
        return UNKNOWN_AGE
    months = (on.year - arrival_month.year) * 12 + on.month - arrival_month.month
    if months < 0:
        return UNKNOWN_AGE
    for lowest, band in ARRIVAL_BANDS:
        if months >= lowest * 12:
            return band
    return UNKNOWN_AGE


# How each breakdown of people reads a row grouped in SQL by the person's columns.
BREAKDOWNS: dict[str, Callable[[Any, date], str]] = {
    "sex": lambda row, _on: row.sex or UNKNOWN,
    "age_band": lambda row, on: age_band(row.birth_year, on),
    "arrival_band": lambda row, on: arrival_band(row.arrival_month, on),
    "nationality": lambda row, _on: row.nationality or UNKNOWN,
    "municipality": lambda row, _on: row.municipality or UNKNOWN,
}


def breakdowns(
    groups: Sequence[Any], on: date, names: Sequence[str]
) -> tuple[dict[str, dict[str, int]], int]:
    """The breakdowns ``names`` (of ``BREAKDOWNS``, as of ``on``) of the people in ``groups`` (rows
    already grouped in SQL, each with its ``people``), their values sorted; and their total."""
    counted: dict[str, Counter[str]] = {name: Counter() for name in names}
    for row in groups:
        for name in names:
            counted[name][BREAKDOWNS[name](row, on)] += row.people
    lines = {name: dict(sorted(counts.items())) for name, counts in counted.items()}
    return lines, sum(row.people for row in groups)


def median(values: Iterable[float]) -> float | None:
    """The median, or ``None`` for no values (a report must not claim 0 days for nobody)."""
    collected = list(values)
    return float(statistics.median(collected)) if collected else None


class RetentionCell(TypedDict):
    due: int
    recorded: int
    in_work: int
    rate: float | None


def retention(rows: Iterable[tuple[int, bool | None]]) -> dict[int, RetentionCell]:
    """Retention after placement, by months after it (3, 6 and 12 always present).

    One row per follow-up due in the period: (months, still in work), where ``None`` means not
    recorded yet. ``rate`` is in work among those recorded, so unanswered follow-ups neither count
    as losses nor as successes; ``None`` when nothing was recorded. The counts still need
    ``suppress`` before they are published, and a rate over a suppressed count too.
    """
    cells: dict[int, RetentionCell] = {
        months: {"due": 0, "recorded": 0, "in_work": 0, "rate": None} for months in FOLLOW_UP_MONTHS
    }
    for months, in_work in rows:
        cell = cells.setdefault(months, {"due": 0, "recorded": 0, "in_work": 0, "rate": None})
        cell["due"] += 1
        if in_work is not None:
            cell["recorded"] += 1
            cell["in_work"] += int(in_work)
    for cell in cells.values():
        cell["rate"] = cell["in_work"] / cell["recorded"] if cell["recorded"] else None
    return dict(sorted(cells.items()))


def csv_cell(value: object) -> str:
    """A value as CSV text. Text that a spreadsheet would run as a formula (municipality names
    are typed by people) gets a leading apostrophe, the usual defence against CSV injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(round(value, 4))
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _leaves(node: object, path: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], object]]:
    if isinstance(node, Mapping):
        for key, child in node.items():
            yield from _leaves(child, (*path, str(key)))
    elif isinstance(node, list | tuple):
        for index, child in enumerate(node):
            yield from _leaves(child, (*path, str(index)))
    else:
        yield path, node


def to_csv_rows(report: Mapping[str, object]) -> list[list[str]]:
    """A nested report as ``section, dimension, value, count`` rows, the header first.

    Every leaf becomes one row: the first key is the section, the last key the value and the keys
    in between, joined by ".", the dimension. A leaf one level down has its key as dimension and
    no value; a leaf at the top has neither. So ``{"people": {"by_sex": {"female": 12}}}`` gives
    ``people, by_sex, female, 12``, ``{"transitions": {"informal": {"formal_employment": 7}}}``
    gives ``transitions, informal, formal_employment, 7`` and ``{"people": {"total": 40}}`` gives
    ``people, total, , 40``. Lists are walked with their index as key; empty dicts give no row.
    """
    rows = [list(CSV_HEADER)]
    for path, value in _leaves(report, ()):
        section = path[0]
        if len(path) == 1:
            dimension, label = "", ""
        elif len(path) == 2:
            dimension, label = path[1], ""
        else:
            dimension, label = ".".join(path[1:-1]), path[-1]
        rows.append([csv_cell(section), csv_cell(dimension), csv_cell(label), csv_cell(value)])
    return rows


def crosstab_csv_rows(report: Mapping[str, Any]) -> list[list[str]]:
    """A cross-tabulated report as one row per cell (``shared.crosstab.csv_rows``), its values
    written as the other reports' are."""
    return csv_rows(report["by"], report["people_reached"]["cells"], csv_cell)
