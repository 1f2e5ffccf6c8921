"""The employment ladder: a person's position on the labour market, over time.

The path the method aims at runs "from exploitation or informal work to formal employment"
(domain.md), and progress along it is the outcome that matters. ``EmploymentStatus`` is declared
worst to best, and ``LADDER_RANK`` orders it:

0. exploited: work under forced-labour indicators;
1. undeclared: work with no contract and no declaration;
2. informal: occasional or partly declared work, without the rights of a contract;
3. inactive, 4. unemployed_seeking, 5. in_training: off the ladder proper, since they are not
   work, but ranked above informal work, because leaving exploitation or informal work is itself
   progress, and in order of closeness to formal work: not seeking, seeking, training for it;
6. precarious_formal: a formal contract, short or part-time: rights, not yet security;
7. formal_employment and self_employed: the goal, equal in rank (``FORMAL``); registered
   self-employment is a formal outcome as valid as a contract.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class EmploymentStatus(StrEnum):
    EXPLOITED = "exploited"
    UNDECLARED = "undeclared"
    INFORMAL = "informal"
    INACTIVE = "inactive"
    UNEMPLOYED_SEEKING = "unemployed_seeking"
    IN_TRAINING = "in_training"
    PRECARIOUS_FORMAL = "precarious_formal"
    FORMAL_EMPLOYMENT = "formal_employment"
    SELF_EMPLOYED = "self_employed"


LADDER_RANK: dict[EmploymentStatus, int] = {
    EmploymentStatus.EXPLOITED: 0,
    EmploymentStatus.UNDECLARED: 1,
    EmploymentStatus.INFORMAL: 2,
    EmploymentStatus.INACTIVE: 3,
    EmploymentStatus.UNEMPLOYED_SEEKING: 4,
    EmploymentStatus.IN_TRAINING: 5,
    EmploymentStatus.PRECARIOUS_FORMAL: 6,
    EmploymentStatus.FORMAL_EMPLOYMENT: 7,
    EmploymentStatus.SELF_EMPLOYED: 7,
}
FORMAL = frozenset({EmploymentStatus.FORMAL_EMPLOYMENT, EmploymentStatus.SELF_EMPLOYED})
# Work with the rights of a contract or a registration: entering it is a placement.
PLACED = FORMAL | {EmploymentStatus.PRECARIOUS_FORMAL}
OFF_LADDER = frozenset(
    {EmploymentStatus.INACTIVE, EmploymentStatus.UNEMPLOYED_SEEKING, EmploymentStatus.IN_TRAINING}
)
UNPROTECTED = frozenset(
    {EmploymentStatus.EXPLOITED, EmploymentStatus.UNDECLARED, EmploymentStatus.INFORMAL}
)
FOLLOW_UP_MONTHS: tuple[int, ...] = (3, 6, 12)
# An internship converts when the person enters contracted or registered work with the host
# organisation by this many months after it ends (the ladder report's conversion by host).
CONVERSION_MONTHS = 6


class Conversion(StrEnum):
    CONVERTED = "converted"
    PENDING = "pending"  # the window is still open
    NOT_CONVERTED = "not_converted"


class Direction(StrEnum):
    """A move on the ladder, by ``LADDER_RANK``."""

    UPWARD = "upward"
    LEVEL = "level"
    DOWNWARD = "downward"


@dataclass(frozen=True)
class Transition:
    from_status: EmploymentStatus
    to_status: EmploymentStatus
    on: date

    @property
    def upward(self) -> bool:
        """Whether the person moved up the ladder (an equal rank is no progress)."""
        return LADDER_RANK[self.to_status] > LADDER_RANK[self.from_status]


def _in_order(
    history: Sequence[tuple[date, EmploymentStatus]],
) -> list[tuple[date, EmploymentStatus]]:
    # A stable sort: statuses recorded on the same day keep the order they were recorded in.
    return sorted(
        ((on, EmploymentStatus(status)) for on, status in history), key=lambda entry: entry[0]
    )


def transitions(history: Sequence[tuple[date, EmploymentStatus]]) -> list[Transition]:
    """The changes of status in a dated history, in date order. A status recorded again (at each
    follow-up, say) is no change; the first status recorded is where the person started, not a
    transition."""
    changes: list[Transition] = []
    previous: EmploymentStatus | None = None
    for on, status in _in_order(history):
        if previous is not None and status != previous:
            changes.append(Transition(previous, status, on))
        previous = status
    return changes


def is_placement(old: EmploymentStatus | None, new: EmploymentStatus) -> bool:
    """Whether moving from ``old`` to ``new`` is a placement, which starts the retention
    follow-ups: entering contracted or registered work (``PLACED``) from outside it.

    Not a placement: the first status ever recorded (``old`` is ``None``: the person was already in
    work when the pathway met them), and a move within ``PLACED`` (a precarious contract made
    permanent continues the same stay in work, whose retention is already followed).
    """
    return old is not None and old not in PLACED and new in PLACED


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the month's last day when it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_dates(placed_on: date) -> list[tuple[int, date]]:
    """The retention follow-ups after a placement: (months, date) at 3, 6 and 12 months."""
    return [(months, add_months(placed_on, months)) for months in FOLLOW_UP_MONTHS]


def days_to_first_formal(
    opened_on: date,
    history: Sequence[tuple[date, EmploymentStatus]],
    *,
    statuses: Collection[EmploymentStatus] = FORMAL,
) -> int | None:
    """Days from the pathway's opening to the first move into formal work on or after it, or
    ``None`` if there was none.

    Only a move counts: a person already formally employed when first recorded did not get there
    through the pathway, and counting them as 0 days would flatter the median. ``statuses`` may
    widen "formal" to ``PLACED`` when precarious contracts should count as a first contract.
    """
    for change in transitions(history):
        entered = change.to_status in statuses and change.from_status not in statuses
        if entered and change.on >= opened_on:
            return (change.on - opened_on).days
    return None


class Outcome(StrEnum):
    FORMAL_EMPLOYMENT = "formal_employment"
    SELF_EMPLOYMENT = "self_employment"
    TRAINING_COMPLETED = "training_completed"
    MOVED_AWAY = "moved_away"
    LOST_CONTACT = "lost_contact"
    WITHDREW = "withdrew"
    OTHER = "other"


class ContractType(StrEnum):
    PERMANENT = "permanent"
    FIXED_TERM = "fixed_term"
    APPRENTICESHIP = "apprenticeship"
    SEASONAL = "seasonal"
    AGENCY = "agency"
    SELF_EMPLOYED = "self_employed"
    NONE = "none"
