"""Pathways' domain errors: one class per error, its message written once. Each is a subclass of
a ``shared.errors`` problem, which fixes its status and problem type; the handlers that
``create_service_app`` installs turn them all into problem+json (the one place of the mapping)."""

from __future__ import annotations

from typing import Any, ClassVar

from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    UnprocessableContent,
)


class _Fixed:
    """A problem whose detail is always the same sentence."""

    message: ClassVar[str]

    def __init__(self, **extensions: Any) -> None:
        super().__init__(self.message, **extensions)  # type: ignore[call-arg]


class PathwayNotFound(_Fixed, NotFound):
    message = "No such pathway."


class PersonNotFound(_Fixed, NotFound):
    message = "No such person."


class ActionNotFound(_Fixed, NotFound):
    message = "No such action."


class FollowUpNotFound(_Fixed, NotFound):
    message = "No such follow-up."


class AppointmentNotFound(_Fixed, NotFound):
    message = "No such appointment."


class ProjectNotFound(_Fixed, NotFound):
    message = "No such project (or not one your organisation leads or is a partner of)."


class NotTheLeadOrganisation(_Fixed, Forbidden):
    message = "Only an org admin of the project's lead organisation sets up or changes it."


class MayNotReadProjects(_Fixed, Forbidden):
    message = "Your role does not read projects."


class MayNotEnrolParticipants(_Fixed, Forbidden):
    message = "Your role does not enrol participants in projects."


class MayNotRecordFeedback(_Fixed, Forbidden):
    message = "Only the organisation running the pathway records its participant's feedback."


class MayNotBookAppointments(_Fixed, Forbidden):
    message = "Your role does not book appointments."


class NotTheBookingOrganisation(_Fixed, Forbidden):
    message = "Only the organisation that booked the appointment changes it."


class AppointmentConflict(Conflict):
    """An attendance that may not follow the current one, or a change to a past appointment."""


class MayNotOpenPathways(_Fixed, Forbidden):
    message = "Your role does not open pathways."


class NotTheRunningOrganisation(_Fixed, Forbidden):
    message = "Only the organisation running the pathway records its steps."


class MayNotReadIndicators(_Fixed, Forbidden):
    message = "Your role does not read indicators."


class PathwayAlreadyOpen(_Fixed, Conflict):
    message = "Your organisation already has an open pathway for this person."


class PathwayClosed(_Fixed, Conflict):
    """A step or an action change on a closed pathway."""

    message = "The pathway is closed."


class PathwayAlreadyClosed(_Fixed, Conflict):
    message = "The pathway is already closed."


class PathwayNotClosed(_Fixed, Conflict):
    message = "The pathway is open: only a closed pathway is reopened."


class RightsViolationsOpen(Conflict):
    def __init__(self, count: int) -> None:
        super().__init__(
            f"{count} rights violation(s) are still open: resolve them in a rights check, or an "
            "org admin closes with override_reason.",
            open_rights_violations=count,
        )


class StepRefused(Conflict):
    """A step out of the loop's order, with the steps that may come next."""

    def __init__(self, detail: str, allowed: list[str]) -> None:
        super().__init__(detail, allowed_next_steps=allowed)


class InvalidField(UnprocessableContent):
    """One field of the body breaks a rule the schema cannot express."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            message, errors=[FieldError(field=f"body.{field}", message=message, code="invalid")]
        )


class InvalidList(UnprocessableContent):
    """Several problems with one field of the body (the needs, the rights checklist)."""

    def __init__(self, detail: str, field: str, problems: list[str]) -> None:
        super().__init__(
            detail,
            errors=[
                FieldError(field=f"body.{field}", message=problem, code="invalid")
                for problem in problems
            ],
        )


class InvalidFields(UnprocessableContent):
    """Fields of the body break rules the schema cannot express: (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            "One or more fields are invalid; see errors.",
            errors=[
                FieldError(field=f"body.{field}", message=message, code="invalid")
                for field, message in problems
            ],
        )


class ProjectRequired(UnprocessableContent):
    def __init__(self) -> None:
        super().__init__(
            "Name the project: project_id.",
            errors=[FieldError(field="query.project_id", message="is required", code="missing")],
        )


class InvalidPeriod(UnprocessableContent):
    """The indicators' period: reversed, or longer than the settings allow."""

    def __init__(self, detail: str, message: str) -> None:
        super().__init__(
            detail, errors=[FieldError(field="query.date_from", message=message, code="range")]
        )


class InvalidCrossTab(UnprocessableContent):
    """``by``: a dimension the report does not cross, one named twice, too many, or a table
    whose cells (margins included) would be more than one report publishes."""

    def __init__(self, detail: str, message: str, field: str = "query.by") -> None:
        super().__init__(detail, errors=[FieldError(field=field, message=message, code="value")])


class UnusableReferences(UnprocessableContent):
    """Service points or territory codes that matching does not know, or that are not the
    caller's to name (closed, or published to clusters it is not in): one error per field."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(
            "Some service points or territories cannot be used; see errors.",
            errors=[
                FieldError(field=f"body.{field}", message=message, code="unknown")
                for field, message in fields.items()
            ],
        )


class MatchingUnavailable(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__(
            "The service points cannot be checked right now; nothing was recorded, try again."
        )


class TaskNotFound(_Fixed, NotFound):
    message = "No such task."


class MayNotWorkOnTasks(_Fixed, Forbidden):
    message = "Your role does not work on tasks."


class GatewayUnavailable(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__("The user cannot be checked right now; nothing was changed, try again.")


class NotAnAssignee(UnprocessableContent):
    """``assigned_to`` names no active operator of the organisation running the pathway."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            f"The pathway can only be assigned to an active operator of its organisation: "
            f"{field} {message}.",
            errors=[FieldError(field=f"body.{field}", message=message, code="invalid")],
        )
