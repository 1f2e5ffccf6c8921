"""Dates and times as the API documents them (``format: date`` / ``date-time``): ISO 8601 strings.

pydantic would also read a number, or a string of digits, as a Unix timestamp: a partner's
``"birth_date": 0`` would be stored as 1970-01-01 instead of being refused. These types refuse it
with the usual field error; their JSON schema is pydantic's own, so the OpenAPI is unchanged.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The time may be left out (midnight), as pydantic allows.
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?)?"
)


def _iso_date(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _DATE.fullmatch(value)):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


def _iso_date_time(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and _DATE_TIME.fullmatch(value)):
        return value
    raise ValueError("expected a date and time in ISO 8601, e.g. 2026-11-24T09:30:00Z")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_date_time)]


# A report's period: years a report can mean. A period's arithmetic (a default a year back, a day
# past its end) would overflow at year 1 or 9999: a 422 here rather than a 500 there.
FIRST_REPORT_YEAR, LAST_REPORT_YEAR = 1900, 2200


def _report_year(value: date) -> date:
    if not FIRST_REPORT_YEAR <= value.year <= LAST_REPORT_YEAR:
        raise ValueError(f"expected a year from {FIRST_REPORT_YEAR} to {LAST_REPORT_YEAR}")
    return value


ReportDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_report_year)]
