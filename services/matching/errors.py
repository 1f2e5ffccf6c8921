"""Matching's domain errors, each with its message once, and the problem type it answers with
(the ``Problem`` base of each class is its mapping: ``shared.errors`` turns them into
problem+json)."""

from __future__ import annotations

from typing import Any

from shared.errors import Conflict, Forbidden, NotFound, Problem, ServiceUnavailable
from shared.errors import UnprocessableContent as _Unprocessable


class OfferNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such offer.")


class ReferralNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such referral.")


class PersonNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such person.")


class ConsentRequired(Problem):
    status, slug, title = 409, "consent-required", "The person has not consented to this"

    def __init__(self) -> None:
        super().__init__("The person has not consented to matching: record that consent first.")


class ConsentEnded(Problem):
    status, slug, title = 409, "consent-ended", "The consent this referral relied on has ended"

    def __init__(self, **extensions: Any) -> None:
        super().__init__(
            "The person's consent to matching, or the referring organisation's view of them, "
            "has ended: the referral can only be ended.",
            **extensions,
        )


class NotACaseWorker(Forbidden):
    def __init__(self) -> None:
        super().__init__("Matching people is for case workers of an organisation.")


class NotAReferrer(Forbidden):
    def __init__(self) -> None:
        super().__init__("Your role does not refer people.")


class NotAPublisher(Forbidden):
    def __init__(self) -> None:
        super().__init__("Offers are published by providers (or their org admins).")


class NotYourOffer(Forbidden):
    def __init__(self) -> None:
        super().__init__("Providers manage their own organisation's offers only.")


class OfferReferred(Conflict):
    def __init__(self) -> None:
        super().__init__("People were referred to this offer: close it instead (status closed).")


class SeatsTaken(Conflict):
    def __init__(self, taken: int) -> None:
        super().__init__(f"{taken} seats are taken; seats cannot go below that.")


class NoSeatsLeft(Conflict):
    def __init__(self) -> None:
        super().__init__("No seats left on this offer.")


class AlreadyReferred(Conflict):
    def __init__(self) -> None:
        super().__init__("The person already has an active referral to this offer.")


class CardUnavailable(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__("The person's contact details cannot be fetched right now; try again.")


class PathwayUncheckable(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__("The referral's pathway cannot be checked right now; try again.")


class AllocationTooLarge(_Unprocessable):
    slug, title = "allocation-too-large", "The allocation is larger than this service solves"


class AllocationTimedOut(ServiceUnavailable):
    slug, title = "allocation-timed-out", "The allocation did not finish in time"
