"""Appointments: a meeting with a person at a time and a place, and whether it took place.

Pure rules: which attendance may follow which, when a reason is owed, when an appointment may
still move. An appointment is ``scheduled`` until the operator records what happened: ``attended``
or ``missed`` once its time has come, ``cancelled`` before. Attended and missed may be corrected
into each other (a register filled in wrong); a cancelled appointment stays cancelled (book a new
one), and none goes back to scheduled.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

# The longest an appointment may last (a day of workshops; longer is not an appointment).
MAX_DURATION = timedelta(hours=12)


class Attendance(StrEnum):
    SCHEDULED = "scheduled"
    ATTENDED = "attended"
    MISSED = "missed"
    CANCELLED = "cancelled"


class AttendanceReason(StrEnum):
    """Why an appointment was missed or cancelled: codes, not free text (no notes here)."""

    ILLNESS = "illness"
    WORK = "work"
    CARE_DUTIES = "care_duties"
    TRANSPORT = "transport"
    UNREACHABLE = "unreachable"
    INTERPRETER_UNAVAILABLE = "interpreter_unavailable"
    OPERATOR_UNAVAILABLE = "operator_unavailable"
    PERSON_REQUEST = "person_request"
    OTHER = "other"


# What each attendance may become.
NEXT: dict[Attendance, frozenset[Attendance]] = {
    Attendance.SCHEDULED: frozenset({Attendance.ATTENDED, Attendance.MISSED, Attendance.CANCELLED}),
    Attendance.ATTENDED: frozenset({Attendance.MISSED}),
    Attendance.MISSED: frozenset({Attendance.ATTENDED}),
    Attendance.CANCELLED: frozenset(),
}
NEEDS_REASON = frozenset({Attendance.MISSED, Attendance.CANCELLED})
# Only what has started can have been attended or missed.
AFTER_START = frozenset({Attendance.ATTENDED, Attendance.MISSED})


def attendance_problem(
    current: Attendance, new: Attendance, start_at: datetime, now: datetime
) -> str | None:
    """Why ``current`` may not become ``new`` at ``now`` (None: it may)."""
    if new == current:
        return None
    if new not in NEXT[current]:
        return f"an appointment {current.value} cannot become {new.value}"
    if new in AFTER_START and start_at > now:
        return f"an appointment that has not started yet cannot be {new.value}"
    return None


def reason_problem(attendance: Attendance, reason: AttendanceReason | None) -> str | None:
    """A missed or cancelled appointment says why; the others carry no reason."""
    if attendance in NEEDS_REASON and reason is None:
        return f"is required when the appointment is {attendance.value}"
    if attendance not in NEEDS_REASON and reason is not None:
        return f"is only given when an appointment is {' or '.join(sorted(NEEDS_REASON))}"
    return None


def change_problem(current: Attendance) -> str | None:
    """Only a scheduled appointment is rescheduled (moved, or its details changed)."""
    if current != Attendance.SCHEDULED:
        return f"an appointment {current.value} cannot be changed; book a new one"
    return None


def new_time_problem(start_at: datetime, now: datetime) -> str | None:
    """An appointment moves only to a time still to come."""
    return "a new time must be in the future" if start_at <= now else None
