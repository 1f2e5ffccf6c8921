"""The intake service's enumerations, in one place: what the schemas, the rules and the tables
share. (The record's ``RecordStatus`` stays in ``schemas/beneficiary.py`` and the emergency
access's ``EmergencyAccessStatus`` in ``domain/emergency.py``.)"""

from __future__ import annotations

from enum import StrEnum


class ItemStatus(StrEnum):
    """A batch item's result. ``create`` mode: created, possible_duplicate, invalid, conflict,
    not_created; ``upsert`` mode: created, updated, unchanged, error."""

    CREATED = "created"
    POSSIBLE_DUPLICATE = "possible_duplicate"
    INVALID = "invalid"
    CONFLICT = "conflict"
    NOT_CREATED = "not_created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"


class BatchMode(StrEnum):
    """What a batch does with an item whose external_id the organisation already registered."""

    CREATE = "create"  # a conflict: nothing changes
    UPSERT = "upsert"  # that record is updated (or left unchanged)


class JobStatus(StrEnum):
    """An asynchronous batch's state."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class VulnerabilityLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Section(StrEnum):
    """What a sharing consent may open to another organisation."""

    IDENTITY = "identity"
    CONTACT = "contact"
    PROFILE = "profile"
    PATHWAY = "pathway"


class AsylumStage(StrEnum):
    NOT_APPLICABLE = "not_applicable"
    APPLIED = "applied"
    INTERVIEWED = "interviewed"
    APPEAL = "appeal"
    GRANTED = "granted"
    REFUSED = "refused"


class Document(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    RESIDENCE_PERMIT = "residence_permit"
    ASYLUM_SEEKER_CARD = "asylum_seeker_card"
    TAX_CODE = "tax_code"
    HEALTH_CARD = "health_card"
    BIRTH_CERTIFICATE = "birth_certificate"
    DRIVING_LICENCE = "driving_licence"


class Reason(StrEnum):
    WORK = "work"
    FAMILY = "family"
    PROTECTION = "protection"
    STUDY = "study"
    ECONOMIC = "economic"
    ENVIRONMENTAL = "environmental"
    OTHER = "other"


class IntendedStay(StrEnum):
    SHORT_TERM = "short_term"
    LONG_TERM = "long_term"
    PERMANENT = "permanent"
    UNDECIDED = "undecided"


class FamilySituation(StrEnum):
    SINGLE = "single"
    PARTNER_HERE = "partner_here"
    PARTNER_ABROAD = "partner_abroad"
    SEPARATED = "separated"
    WIDOWED = "widowed"
    UNDISCLOSED = "undisclosed"


class Purpose(StrEnum):
    CASE_MANAGEMENT = "case_management"
    SHARING = "sharing"
    MATCHING = "matching"
    PARTNER_CONTACT = "partner_contact"
    # The person agrees that their case moves to another organisation (``organization_id``):
    # opens nothing by itself; a transfer request needs it (``service/transfers.py``).
    TRANSFER = "transfer"


class CollectionMethod(StrEnum):
    PAPER_SIGNED = "paper_signed"
    DIGITAL_SIGNATURE = "digital_signature"
    VERBAL_WITNESSED = "verbal_witnessed"
    MOBILE_APP = "mobile_app"
