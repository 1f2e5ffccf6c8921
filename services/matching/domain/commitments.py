"""What a member may pledge, and how what it delivered is measured from matching's own data: each
kind names its measure over the commitment's period, for that organisation in that cluster
(``db/commitments.delivered`` computes it). An offer counts for a cluster when it is published to
it, or to every cluster (no cluster named); a referral when it was made in that cluster, or made
in none to an offer counted for it."""

from __future__ import annotations

from enum import StrEnum


class CommitmentKind(StrEnum):
    # Seats of its published offers (open or closed, of ``offer_type`` when given) starting in the
    # period (created in it when they name no start).
    SEATS_OFFERED = "seats_offered"
    # Its published offers (of ``offer_type`` when given) starting in the period.
    OFFERS_PUBLISHED = "offers_published"
    # Referrals to its offers that reached enrolled in the period (completed ones did too).
    SEATS_FILLED = "seats_filled"
    # Referrals to its offers that it answered (accepted or rejected) in the period.
    REFERRALS_ANSWERED = "referrals_answered"
    # Anything else ("legal desk twice a week"): matching has nothing to measure it by.
    OTHER = "other"


MEASURES: dict[CommitmentKind, str] = {
    CommitmentKind.SEATS_OFFERED: "seats of its published offers starting in the period",
    CommitmentKind.OFFERS_PUBLISHED: "its published offers starting in the period",
    CommitmentKind.SEATS_FILLED: "referrals to its offers enrolled in the period",
    CommitmentKind.REFERRALS_ANSWERED: "referrals to its offers accepted or rejected in the period",
    CommitmentKind.OTHER: "not measurable from Ponte's data: delivered is null",
}


def measurable(kind: str) -> bool:
    return kind != CommitmentKind.OTHER


def ratio(pledged: int, delivered: int | None) -> float | None:
    """Delivered over pledged, rounded to 3 places (1.0: kept; above: more than pledged)."""
    if delivered is None or pledged <= 0:
        return None
    return round(delivered / pledged, 3)
