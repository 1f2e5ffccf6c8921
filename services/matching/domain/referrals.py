"""A referral's life, as a pure table of moves.

proposed -> accepted | rejected (by the provider, with a reason) | dropped (by the referrer)
accepted -> enrolled (the provider; takes a seat) | dropped
enrolled -> completed | dropped (frees the seat)

A service point has no seats: accepted -> completed | dropped.
"""

from __future__ import annotations

from enum import StrEnum


class ReferralStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    DROPPED = "dropped"


class ReferralReasonCode(StrEnum):
    """Why a referral ended, coded: the system's when it ended it, or the party's that rejected
    or dropped it (``reason`` is their free text)."""

    CONSENT_WITHDRAWN = "consent_withdrawn"  # the person's consent to matching ended
    ACCESS_ENDED = "access_ended"  # the referring organisation no longer sees the person
    PERSON_ERASED = "person_erased"  # the person's data was erased
    PERSON_DECLINED = "person_declined"  # the person declined it in the app
    MERGED = "merged"  # a duplicate record's referral, the survivor having one to the same offer
    # A party's own, given when it rejects or drops a referral, so that the reasons can be counted
    NO_CAPACITY = "no_capacity"
    LANGUAGE_LEVEL = "language_level"
    SKILLS_OR_QUALIFICATIONS = "skills_or_qualifications"
    REQUIREMENTS_NOT_MET = "requirements_not_met"
    DOCUMENTS_MISSING = "documents_missing"
    SCHEDULE = "schedule"
    DISTANCE = "distance"
    PERSON_UNREACHABLE = "person_unreachable"
    PERSON_NOT_INTERESTED = "person_not_interested"
    OTHER_OPPORTUNITY = "other_opportunity"
    OTHER = "other"


# The codes a provider or a referrer may give; the others are the system's (or the app's).
PARTY_REASONS = frozenset(
    {
        ReferralReasonCode.NO_CAPACITY,
        ReferralReasonCode.LANGUAGE_LEVEL,
        ReferralReasonCode.SKILLS_OR_QUALIFICATIONS,
        ReferralReasonCode.REQUIREMENTS_NOT_MET,
        ReferralReasonCode.DOCUMENTS_MISSING,
        ReferralReasonCode.SCHEDULE,
        ReferralReasonCode.DISTANCE,
        ReferralReasonCode.PERSON_UNREACHABLE,
        ReferralReasonCode.PERSON_NOT_INTERESTED,
        ReferralReasonCode.OTHER_OPPORTUNITY,
        ReferralReasonCode.OTHER,
    }
)


S = ReferralStatus
ACTIVE = (S.PROPOSED.value, S.ACCEPTED.value, S.ENROLLED.value)
# (from, to) -> who may make the move: "provider", "referrer" or both
MOVES: dict[tuple[S, S], frozenset[str]] = {
    (S.PROPOSED, S.ACCEPTED): frozenset({"provider"}),
    (S.PROPOSED, S.REJECTED): frozenset({"provider"}),
    (S.PROPOSED, S.DROPPED): frozenset({"referrer"}),
    (S.ACCEPTED, S.ENROLLED): frozenset({"provider"}),
    (S.ACCEPTED, S.DROPPED): frozenset({"provider", "referrer"}),
    (S.ENROLLED, S.COMPLETED): frozenset({"provider"}),
    (S.ENROLLED, S.DROPPED): frozenset({"provider", "referrer"}),
}
# A service point's referral: no seat, so no enrolment; the provider completes an accepted one.
SERVICE_POINT_MOVES: dict[tuple[S, S], frozenset[str]] = {
    **{move: who for move, who in MOVES.items() if S.ENROLLED not in move},
    (S.ACCEPTED, S.COMPLETED): frozenset({"provider"}),
}
NEEDS_REASON = frozenset({S.REJECTED, S.DROPPED})
# The provider's moves forward, which need the person's consent and the referrer's view to hold.
FORWARD = frozenset({S.ACCEPTED, S.ENROLLED, S.COMPLETED})


def moves_of(to_service_point: bool) -> dict[tuple[S, S], frozenset[str]]:
    """The table of moves of a referral to a service point, or to an offer."""
    return SERVICE_POINT_MOVES if to_service_point else MOVES


def next_statuses(
    old: ReferralStatus, *, backward_only: bool = False, to_service_point: bool = False
) -> list[str]:
    """Where a referral ``old`` may go (only the ending moves with ``backward_only``)."""
    return sorted(
        to.value
        for (frm, to) in moves_of(to_service_point)
        if frm == old and not (backward_only and to in FORWARD)
    )
