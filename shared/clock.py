"""The one clock every service reads: ``now()`` (aware, UTC) and ``today()``.

Services never call ``datetime.now`` themselves, so that a test can set the time of everything
a service decides (a permit's expiry, a follow-up falling due, an access running out) with
``frozen_at`` instead of patching a copy of the clock in each module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_fixed: datetime | None = None


def now() -> datetime:
    return _fixed if _fixed is not None else datetime.now(UTC)


def today() -> date:
    return now().date()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """The clock reads ``moment`` (which must be aware) until the block ends."""
    global _fixed
    if moment.tzinfo is None:
        raise ValueError("the clock keeps aware datetimes only")
    before, _fixed = _fixed, moment.astimezone(UTC)
    try:
        yield _fixed
    finally:
        _fixed = before
