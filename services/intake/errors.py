"""Intake's domain errors: one class per error, its message written once. Each maps to its
problem type by the ``shared.errors`` class it extends (404 ``not-found``, 409 ``conflict``...);
``shared.errors.install_handlers`` turns them into problem+json. The application layer raises
them; routers never build a message."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Problem,
    ServiceUnavailable,
    UnprocessableContent,
)


class BeneficiaryNotFound(NotFound):
    """Not there, erased, or not the caller's to see: the same answer for each."""

    def __init__(self) -> None:
        super().__init__("No such person.")


class ConsentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such consent.")


class EmergencyAccessNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such emergency access.")


class InvitationCodeInvalid(NotFound):
    def __init__(self) -> None:
        super().__init__("The code is not valid: wrong, used, replaced or expired.")


class RegistrationForbidden(Forbidden):
    def __init__(self) -> None:
        super().__init__("Your role does not register people.")


class ChangeForbidden(Forbidden):
    def __init__(self) -> None:
        super().__init__("Only the organisation that registered the person changes the record.")


class NoteWriteForbidden(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Only the organisation that registered the person writes its notes; a sharing "
            "consent opens them to read."
        )


class DocumentWriteForbidden(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Only the organisation that registered the person uploads and deletes its documents; "
            "a sharing consent opens them to read."
        )


class DocumentNotFound(NotFound):
    """Not there, or in a section the caller was not granted: the same answer."""

    def __init__(self) -> None:
        super().__init__("No such document.")


class QualificationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such qualification of this person.")


class DocumentNotDownloadable(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(
            f"The document is {status}: only an available document is downloaded.",
            document_status=status,
        )


class DocumentTooLarge(Problem):
    status, slug, title = 413, "content-too-large", "The file is too large"
    description = "The document or request body is larger than the limit (limit_bytes when known)."

    def __init__(self, limit: int) -> None:
        super().__init__(f"A document is at most {limit} bytes.", limit_bytes=limit)


class UnsupportedDocument(Problem):
    status, slug, title = 415, "unsupported-media-type", "The file's type is not accepted"
    description = (
        "The file's content is not of an accepted type, decided by its bytes rather than its name "
        "or declared type."
    )

    def __init__(self, accepted: Sequence[str]) -> None:
        super().__init__(
            "The file's content is not of an accepted type (decided by its bytes, not by its "
            "name or declared type).",
            accepted=list(accepted),
        )


class UploadRefused(UnprocessableContent):
    def __init__(self, detail: str, field: str) -> None:
        super().__init__(
            detail, errors=[FieldError(field=f"body.{field}", message=detail, code="form")]
        )


class ErasureForbidden(Forbidden):
    def __init__(self) -> None:
        super().__init__("Erasure is requested by the registering organisation's org admin.")


class ExportForbidden(Forbidden):
    def __init__(self) -> None:
        super().__init__("Exports are requested by the registering organisation's org admin.")


class EmergencyAccessForbidden(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Emergency access is for org admins of an organisation entitled to the reason."
        )


class EmergencyAccessToOwnPerson(Forbidden):
    def __init__(self) -> None:
        super().__init__("Your organisation registered this person: it sees the whole record.")


class EmergencyAccessOpen(Conflict):
    def __init__(self, emergency_access_id: object) -> None:
        super().__init__(
            f"Your organisation's emergency access {emergency_access_id} to this person is open; "
            "it is not renewed: close it, or ask again once it has expired."
        )


class ExternalIdRegistered(Conflict):
    """The organisation already registered someone under this external_id: the answer names
    them (``existing_id`` and ``Location``), so that a partner's retry or upsert finds its
    record; unknown only when a concurrent request registered them a moment ago."""

    def __init__(self, existing_id: uuid.UUID | None = None) -> None:
        if existing_id is None:
            super().__init__("A person with this external_id is already registered.")
            return
        super().__init__(
            f"Your organisation already registered a person with this external_id: {existing_id}.",
            headers={"Location": f"/api/v1/beneficiaries/{existing_id}"},
            existing_id=str(existing_id),
        )


class ExternalIdTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("Another person has this external_id.")


class BatchExternalIdsTaken(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Another request registered one of these external_ids meanwhile; send the batch"
            " again to get a result per item."
        )


class RecordNotActive(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"This record is {status}.")


class OnlyActiveRecordsMerge(Conflict):
    def __init__(self) -> None:
        super().__init__("Only active records merge.")


class MergeChainTooLong(Conflict):
    def __init__(self) -> None:
        super().__init__("The record's merges form too long a chain.")


class MergedMeanwhile(Conflict):
    def __init__(self) -> None:
        super().__init__("The record was merged meanwhile; try again.")


class GatewayUnavailable(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__("The gateway did not answer; nothing was opened.")


class InvalidFields(UnprocessableContent):
    """Fields of the body break a rule (``problems``: (field, message) pairs)."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__(
            "One or more fields are invalid; see errors.",
            errors=[
                FieldError(field=f"body.{field}", message=message, code="invalid")
                for field, message in problems
            ],
        )


class FieldRefused(UnprocessableContent):
    """One field refused: the problem's message and the field's own."""

    def __init__(self, detail: str, field: str, message: str, code: str, **extra: Any) -> None:
        super().__init__(
            detail,
            errors=[FieldError(field=f"body.{field}", message=message, code=code)],
            **extra,
        )


class BatchNotRegistered(UnprocessableContent):
    """``all_or_nothing`` and some items invalid: nothing written, a result per item."""

    def __init__(self, errors: Sequence[FieldError], results: list[dict[str, Any]]) -> None:
        super().__init__(
            "Nothing was registered: some items are invalid (all_or_nothing).",
            errors=errors,
            results=results,
        )


class TooManyCandidates(FieldRefused):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"This batch resembles more than {limit} registered people, more "
            "than one batch may be checked against for duplicates; nothing was registered. "
            "Send it in smaller batches.",
            "items",
            f"reaches more than {limit} possible duplicates",
            "too_many_candidates",
        )


class TransferNotFound(NotFound):
    """Not there, or the caller's organisation is neither party: the same answer."""

    def __init__(self) -> None:
        super().__init__("No such transfer.")


class TransferForbidden(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Only an org admin or operator asks for a transfer; the receiving organisation accepts "
            "or rejects it, the sending organisation cancels it."
        )


class TransferPending(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "A transfer of this person is already pending: it is accepted, rejected or cancelled "
            "before another is asked."
        )


class TransferDecided(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"The transfer is {status}: only a pending transfer changes.")


class TransferStale(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "The person is no longer the sending organisation's (merged, erased or moved); the "
            "transfer cannot be accepted."
        )


class JobNotFound(NotFound):
    """Not there, purged, or submitted by someone else: the same answer."""

    def __init__(self) -> None:
        super().__init__("No such job.")
