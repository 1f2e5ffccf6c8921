"""The rules of an appointment's attendance, exhaustively (pure: no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.pathways.domain.appointments import (
    Attendance,
    AttendanceReason,
    attendance_problem,
    change_problem,
    new_time_problem,
    reason_problem,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PAST, FUTURE = NOW - timedelta(minutes=1), NOW + timedelta(minutes=1)
S, A, M, C = Attendance.SCHEDULED, Attendance.ATTENDED, Attendance.MISSED, Attendance.CANCELLED
# (current, new) -> allowed before the start, allowed after it.
ALLOWED = {
    (S, S): (True, True),
    (S, A): (False, True),
    (S, M): (False, True),
    (S, C): (True, True),
    (A, A): (True, True),
    (A, M): (False, True),
    (M, M): (True, True),
    (M, A): (False, True),
    (C, C): (True, True),
}


@pytest.mark.parametrize("current", list(Attendance))
@pytest.mark.parametrize("new", list(Attendance))
def test_which_attendance_may_follow_which(current: Attendance, new: Attendance) -> None:
    before, after = ALLOWED.get((current, new), (False, False))
    assert (attendance_problem(current, new, FUTURE, NOW) is None) is before
    assert (attendance_problem(current, new, PAST, NOW) is None) is after


@pytest.mark.parametrize("attendance", list(Attendance))
@pytest.mark.parametrize("reason", [None, *AttendanceReason])
def test_a_reason_goes_with_missed_and_cancelled_only(
    attendance: Attendance, reason: AttendanceReason | None
) -> None:
    needed = attendance in (M, C)
    assert (reason_problem(attendance, reason) is None) is (needed == (reason is not None))


def test_only_a_scheduled_appointment_moves_and_only_ahead() -> None:
    assert [change_problem(a) is None for a in Attendance] == [True, False, False, False]
    assert new_time_problem(FUTURE, NOW) is None
    assert new_time_problem(NOW, NOW) is not None
    assert new_time_problem(PAST, NOW) is not None
