"""Dates relative to the day the tests run, so that no test expires with the calendar.

The OpenAPI examples carry fixed dates (a document cannot move with the clock); the tests that
build on them move the example's dates here, keeping every distance the example was written
with (an age, a recent arrival, a permit that is still valid), whatever the day.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

# The day the examples' dates were written for: they shift by (today - this).
EXAMPLES_WRITTEN_ON = date(2026, 11, 24)
_DATE_FIELDS = frozenset(
    {"birth_date", "arrival_date", "permit_expires_on", "starts_on", "ends_on", "due_date", "date"}
)


def today() -> date:
    return date.today()


def in_days(days: int) -> str:
    """Today plus ``days`` (negative: in the past), ISO 8601."""
    return (today() + timedelta(days=days)).isoformat()


def years_ago(years: int) -> str:
    """The birth date of someone who turns ``years`` today (28 February for a 29th)."""
    day = today()
    try:
        return day.replace(year=day.year - years).isoformat()
    except ValueError:
        return day.replace(year=day.year - years, day=28).isoformat()


def as_of_today(example: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``example`` with every date field moved as far as the calendar moved since
    the example was written, so a body built on it means today what it meant then."""
    shifted: dict[str, Any] = _shifted(copy.deepcopy(example), today() - EXAMPLES_WRITTEN_ON)
    return shifted


def _shifted(value: Any, shift: timedelta) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _DATE_FIELDS and isinstance(item, str):
                value[key] = (date.fromisoformat(item) + shift).isoformat()
            else:
                value[key] = _shifted(item, shift)
    elif isinstance(value, list):
        return [_shifted(item, shift) for item in value]
    return value
