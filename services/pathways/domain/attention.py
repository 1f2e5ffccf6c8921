"""Why an open pathway needs someone today, and by how many days it is late (the caseload)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

PERMIT_WARNING_DAYS = 60


class Attention(StrEnum):
    URGENT = "urgent"
    RIGHTS_VIOLATIONS_OPEN = "rights_violations_open"
    FOLLOW_UP_OVERDUE = "follow_up_overdue"
    ACTIONS_OVERDUE = "actions_overdue"
    PERMIT_EXPIRING = "permit_expiring"


class Followed(Protocol):
    """What the rule reads of a pathway."""

    status: str
    urgent: bool
    open_rights_violations: int
    next_monitoring_due: date | None
    next_action_due: date | None


def attention(
    pathway: Followed, permit_expires_on: date | None, today: date
) -> tuple[list[Attention], int]:
    """Why an open pathway needs someone today, and by how many days it is late."""
    if pathway.status != "open":
        return [], 0
    reasons: list[Attention] = []
    late = 0
    if pathway.urgent:
        reasons.append(Attention.URGENT)
    if pathway.open_rights_violations:
        reasons.append(Attention.RIGHTS_VIOLATIONS_OPEN)
    if pathway.next_monitoring_due is not None and pathway.next_monitoring_due < today:
        reasons.append(Attention.FOLLOW_UP_OVERDUE)
        late = max(late, (today - pathway.next_monitoring_due).days)
    if pathway.next_action_due is not None and pathway.next_action_due < today:
        reasons.append(Attention.ACTIONS_OVERDUE)
        late = max(late, (today - pathway.next_action_due).days)
    if permit_expires_on is not None and permit_expires_on <= today + timedelta(
        days=PERMIT_WARNING_DAYS
    ):
        reasons.append(Attention.PERMIT_EXPIRING)
    return reasons, late
