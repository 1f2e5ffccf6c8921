"""Who a pathway may be assigned to: an active operator (or org admin, who also works on cases)
of the organisation running it. Pure: the gateway's answer about the user comes in."""

from __future__ import annotations

from shared.auth import STAFF_ROLES
from shared.contracts.gateway import StaffRef

ASSIGNABLE_ROLES = frozenset(role.value for role in STAFF_ROLES)


def assignee_problem(staff: StaffRef | None) -> str | None:
    """Why the user may not be assigned the pathway, or None when they may. ``staff`` is None
    when the user is not one of the running organisation's (no such user, or another's: the
    same answer, as the gateway gives another organisation's staff)."""
    if staff is None:
        return "is not a user of the organisation running this pathway"
    if not staff.is_active:
        return "is a deactivated account"
    if ASSIGNABLE_ROLES.isdisjoint(staff.roles):
        return "is not an operator or org admin of the organisation running this pathway"
    return None
