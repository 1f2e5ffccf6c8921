"""Matching's domain errors, each with its message once, and the problem type it answers with
(the ``Problem`` base of each class is its mapping: ``shared.errors`` turns them into
problem+json)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from shared.errors import Conflict, FieldError, Forbidden, NotFound, Problem, ServiceUnavailable
from shared.errors import UnprocessableContent as _Unprocessable


class OfferNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such offer.")


class ReferralNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such referral.")


class ServicePointNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such service point.")


class UnknownTerritory(NotFound):
    def __init__(self) -> None:
        super().__init__("No territory has this code (NUTS 2024, or <country>_<LAU code>).")


class PersonNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such person.")


class ConsentRequired(Problem):
    status, slug, title = 409, "consent-required", "The person has not consented to this"
    description = "The person has not given the consent this needs: record it first, then retry."

    def __init__(self) -> None:
        super().__init__("The person has not consented to matching: record that consent first.")


class ConsentEnded(Problem):
    status, slug, title = 409, "consent-ended", "The consent this referral relied on has ended"
    description = (
        "The person's consent to matching, or the referring organisation's view of them, has "
        "ended: the referral can only be ended."
    )

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


class NotAServicePointPublisher(Forbidden):
    def __init__(self) -> None:
        super().__init__("Service points are published by providers (or their org admins).")


class NotYourServicePoint(Forbidden):
    def __init__(self) -> None:
        super().__init__("Providers manage their own organisation's service points only.")


class NotYourClusters(_Unprocessable):
    def __init__(self, positions: Sequence[int]) -> None:
        super().__init__(
            "A service point is published only to clusters its organisation is a member of.",
            errors=[
                FieldError(
                    field=f"body.cluster_ids.{i}",
                    message="is not a cluster your organisation is a member of",
                    code="not_a_member",
                )
                for i in positions
            ],
        )


class OneTarget(_Unprocessable):
    def __init__(self) -> None:
        message = "give exactly one of offer_id and service_point_id"
        super().__init__(
            "A referral goes to an offer or to a service point: name exactly one.",
            errors=[
                FieldError(field=f"body.{name}", message=message, code="exactly_one")
                for name in ("offer_id", "service_point_id")
            ],
        )


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
    description = "The allocation names more people or offers than one request may; split it."


class AllocationTimedOut(ServiceUnavailable):
    slug, title = "allocation-timed-out", "The allocation did not finish in time"
    description = (
        "The allocation could not be solved within its time limit; try again with fewer people or "
        "offers."
    )


class UnknownConcepts(_Unprocessable):
    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__(
            "Unknown ESCO concepts; search them with GET /api/v1/taxonomy/skills or /occupations.",
            errors=errors,
        )


class RequiredFieldsCleared(_Unprocessable):
    def __init__(self, fields: Sequence[str]) -> None:
        super().__init__(
            "Required fields cannot be cleared.",
            errors=[
                FieldError(field=f"body.{f}", message="cannot be null", code="required")
                for f in fields
            ],
        )


class InconsistentOffer(_Unprocessable):
    def __init__(self, why: str) -> None:
        super().__init__(why, errors=[FieldError(field="body", message=why, code="invalid")])


class NotEligible(_Unprocessable):
    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__(
            "The person is not eligible for this offer.",
            errors=[
                FieldError(field="body.offer_id", message=reason, code="ineligible")
                for reason in reasons
            ],
            excluded_by=reasons,
        )


class MoveNotAllowed(Conflict):
    def __init__(self, old: str, new: str, allowed_statuses: list[str]) -> None:
        super().__init__(
            f"A referral {old} cannot become {new}.", allowed_statuses=allowed_statuses
        )


class NotThisParty(Forbidden):
    def __init__(self, parties: Iterable[str]) -> None:
        super().__init__(f"Only the {' or '.join(sorted(parties))} makes this move.")


class ReasonRequired(_Unprocessable):
    def __init__(self) -> None:
        super().__init__(
            "Say why.",
            errors=[FieldError(field="body.reason", message="is required", code="required")],
        )


class ReasonCodeOnlyToEnd(_Unprocessable):
    def __init__(self) -> None:
        message, code = "only with status rejected or dropped", "not_allowed"
        super().__init__(
            "A reason code says why a referral is rejected or dropped; this move ends nothing.",
            errors=[FieldError(field="body.reason_code", message=message, code=code)],
        )


class MayNotReadReports(Forbidden):
    def __init__(self) -> None:
        super().__init__("Your role does not read reports.")


class InvalidReportPeriod(_Unprocessable):
    def __init__(self, longest: int) -> None:
        message, code = f"after date_to, or more than {longest} days before it", "range"
        super().__init__(
            f"A report covers a period from date_from to date_to of at most {longest} days.",
            errors=[FieldError(field="query.date_from", message=message, code=code)],
        )


class NotProposed(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(
            f"The referral is {status}: only a proposed one can be answered.",
            allowed_statuses=[],
        )


class OwnConsentEnded(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Your consent to matching has ended: give it again before answering offers.",
            allowed_statuses=[],
        )


class PathwayRequired(_Unprocessable):
    def __init__(self) -> None:
        super().__init__(
            "Name the pathway of the action.",
            errors=[
                FieldError(
                    field="body.pathway_id", message="is required with action_id", code="required"
                )
            ],
        )


class NotYourPathway(_Unprocessable):
    def __init__(self) -> None:
        super().__init__(
            "The pathway is not one your organisation runs for this person.",
            errors=[
                FieldError(
                    field="body.pathway_id",
                    message="is not a pathway of your organisation for this person",
                    code="not_your_pathway",
                )
            ],
        )


class NotMemberClusters(_Unprocessable):
    def __init__(self, unknown: Sequence[str], outside: Sequence[str]) -> None:
        super().__init__(
            "An offer is published only to clusters its provider is a member of.",
            errors=[
                FieldError(field="body.cluster_ids", message=f"no such cluster {i}", code="unknown")
                for i in unknown
            ]
            + [
                FieldError(
                    field="body.cluster_ids",
                    message=f"the provider is not a member of cluster {i}",
                    code="not_a_member",
                )
                for i in outside
            ],
        )


class UnknownOffers(_Unprocessable):
    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__(
            "Some offers do not exist.",
            errors=[
                FieldError(field="body.offer_ids", message=f"no such offer {i}", code="unknown")
                for i in missing
            ],
        )


class QueryLength(_Unprocessable):
    def __init__(self) -> None:
        super().__init__(
            "q must hold 1 to 100 characters besides spaces.",
            errors=[
                FieldError(field="query.q", message="1 to 100 characters", code="string_length")
            ],
        )


class ClusterNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such cluster.")


class MemberNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("This organisation is not a member of the cluster.")


class CommitmentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such commitment.")


class NotACoordinator(Forbidden):
    def __init__(
        self, why: str = "Only the platform admin and the cluster's coordinator do this."
    ) -> None:
        super().__init__(why)


class ClusterClosed(Conflict):
    def __init__(self) -> None:
        super().__init__("The cluster is closed: it changes no more.")


class AlreadyMember(Conflict):
    def __init__(self, current: bool) -> None:
        super().__init__(
            "The organisation is a member already."
            if current
            else "The organisation was a member: rejoin it with PATCH (left_on null)."
        )


class CoordinatorMembership(Conflict):
    def __init__(self, why: str) -> None:
        super().__init__(why)


class ClusterNameTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("Another cluster has this name.")


class GatewayUnavailable(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__("The gateway did not answer whether the organisation exists; try again.")


def field_problem(field: str, message: str, code: str = "invalid") -> _Unprocessable:
    """A 422 naming one field of the body."""
    return _Unprocessable(message, errors=[FieldError(field=field, message=message, code=code)])


class NotAProfileReader(Forbidden):
    def __init__(self) -> None:
        super().__init__("Territorial profiles are read by organisations' staff and coordinators.")


class NotAProfileWriter(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "A territory's profile is entered by the platform admin, or by the coordinator of a "
            "cluster whose territories contain it."
        )


class AnalysisNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such territorial analysis for you (no such cluster, or not yours).")
