"""Tasks and reminders: what an operator has to do, and when.

Most tasks are derived from the pathways' own records at read time (an action due, monitoring
due, a placement follow-up, a permit running out, an escalation of a rights violation), or from
the copies pathways keeps of the other services' (a referral waiting for the provider's answer, a
document about to expire, a transfer to accept): a task is there while its source waits, and
gone once the source is recorded. What an operator does to a derived task (done, snoozed,
reassigned) is kept under the task's key: its kind, its source and its due date, so that a new
due date (monitoring rescheduled) is a new task. Manual tasks are rows an operator creates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.pathways.domain.attention import PERMIT_WARNING_DAYS


class TaskKind(StrEnum):
    ACTION_DUE = "action_due"
    MONITORING_DUE = "monitoring_due"
    PLACEMENT_FOLLOW_UP = "placement_follow_up"
    PERMIT_EXPIRING = "permit_expiring"
    RIGHTS_ESCALATION = "rights_escalation"
    REFERRAL_WAITING = "referral_waiting"
    DOCUMENT_EXPIRING = "document_expiring"
    TRANSFER_TO_ACCEPT = "transfer_to_accept"
    RECOGNITION_OVERDUE = "recognition_overdue"  # the authority's decision is later than expected
    MANUAL = "manual"


class TaskStatus(StrEnum):
    OPEN = "open"
    SNOOZED = "snoozed"
    DONE = "done"


DERIVED_KINDS = frozenset(TaskKind) - {TaskKind.MANUAL}
# A referral the provider has not answered is chased this many days after it was proposed.
REFERRAL_ANSWER_DAYS = 7
# How many days before its due date a task enters the list of what is due: a permit (or any
# document that expires) must be renewed before it runs out; a referral waits for its answer
# from the day it is proposed; the rest are due on their day.
LEAD_DAYS: dict[TaskKind, int] = {
    TaskKind.PERMIT_EXPIRING: PERMIT_WARNING_DAYS,
    TaskKind.DOCUMENT_EXPIRING: PERMIT_WARNING_DAYS,
    TaskKind.REFERRAL_WAITING: REFERRAL_ANSWER_DAYS,
}


def starts_on(kind: TaskKind, due_on: date) -> date:
    """The first day the task is in the list of what is due (without ``due_before``)."""
    return due_on - timedelta(days=LEAD_DAYS.get(kind, 0))


def status_of(done_at: datetime | None, snoozed_until: date | None, today: date) -> TaskStatus:
    """Done stays done; a snooze ends on its date, and the task is open again."""
    if done_at is not None:
        return TaskStatus.DONE
    if snoozed_until is not None and snoozed_until > today:
        return TaskStatus.SNOOZED
    return TaskStatus.OPEN


@dataclass(frozen=True)
class TaskKey:
    """What names a task: a manual task is its own source, with no key date."""

    kind: TaskKind
    source_id: uuid.UUID
    due_on: date | None = None

    def __str__(self) -> str:
        if self.kind == TaskKind.MANUAL or self.due_on is None:
            return str(self.source_id)
        return f"{self.kind.value}.{self.source_id}.{self.due_on.isoformat()}"


def parse_task_id(task_id: str) -> TaskKey | None:
    """The key a task id stands for, or None when it names no task (a 404). A manual task's id
    is a UUID; a derived task's is ``kind.source-uuid.due-date``, deterministic, so that the
    same task has the same id in every list, before and after anything was done to it."""
    parts = task_id.split(".")
    try:
        if len(parts) == 1:
            return TaskKey(TaskKind.MANUAL, uuid.UUID(parts[0]))
        if len(parts) != 3 or parts[0] not in DERIVED_KINDS:
            return None
        return TaskKey(TaskKind(parts[0]), uuid.UUID(parts[1]), date.fromisoformat(parts[2]))
    except ValueError:
        return None


class SnoozeRefused(ValueError):
    pass


def check_snooze(until: date | None, reason: str | None, today: date) -> None:
    """A snooze names both its end, after today, and its reason."""
    if (until is None) != (reason is None):
        raise SnoozeRefused("a snooze needs both snoozed_until and snooze_reason")
    if until is not None and until <= today:
        raise SnoozeRefused("snoozed_until must be after today")
