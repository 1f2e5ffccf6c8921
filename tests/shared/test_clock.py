"""shared.clock: the services' one clock, and a test's way to set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared import clock


def test_the_clock_is_aware_and_current() -> None:
    before = datetime.now(UTC)
    reading = clock.now()
    assert reading.tzinfo is not None
    assert before <= reading <= datetime.now(UTC)
    assert clock.today() == clock.now().date()


def test_a_frozen_clock_reads_the_moment_in_utc_and_thaws_after() -> None:
    moment = datetime(2031, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    with clock.frozen_at(moment) as fixed:
        assert clock.now() == moment
        assert clock.now().utcoffset() == timedelta(0)
        assert clock.today().isoformat() == "2032-01-01"
        assert fixed == moment
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"), clock.frozen_at(datetime(2031, 1, 1)):
        pass
