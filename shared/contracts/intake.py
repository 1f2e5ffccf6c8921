"""Events of the intake service (version 1)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

REGISTERED = "beneficiary.registered"
UPDATED = "beneficiary.updated"
MERGED = "beneficiary.merged"
ERASED = "beneficiary.erased"
ACCESS_CHANGED = "beneficiary.access_changed"
CONSENT_GRANTED = "consent.granted"
CONSENT_WITHDRAWN = "consent.withdrawn"
EMERGENCY_ACCESS_OPENED = "emergency_access.opened"
EMERGENCY_ACCESS_CLOSED = "emergency_access.closed"
DOCUMENT_CHANGED = "document.changed"
TRANSFER_STATUS_CHANGED = "transfer.status_changed"


class EmergencyReason(StrEnum):
    """The legal bases on which an entitled organisation may open a record without consent
    ("break the glass"). Intake decides the sections each one opens
    (``services/intake/domain/emergency.py``); the gateway keeps which organisations may invoke
    which (``Organization.emergency_reasons``)."""

    MEDICAL_EMERGENCY = "medical_emergency"
    MISSING_PERSON = "missing_person"
    TRAFFICKING_PROTECTION = "trafficking_protection"
    CHILD_PROTECTION = "child_protection"


class Contract(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LanguageLevel(Contract):
    code: str
    level: str | None = None
    native: bool = False
    verified: bool = False  # the level is certified (an exam's certificate), not declared


class Coded(Contract):
    uri: str | None = None
    label: str


class Skill(Coded):
    verified: bool = False  # an operator (or a test) checked it: a reading they confirmed


class MatchingProfile(Contract):
    """The part of a record other services keep: what ranking and allocation need (matching's
    read model) and what caseloads and indicators need (pathways keeps only sex, nationality,
    birth year, municipality and the permit's expiry). No names, no contact."""

    birth_date: date | None = None
    sex: str | None = None
    nationality: str | None = None
    municipality: str | None = None  # a label; where the person lives is territory_code
    territory_code: str | None = None  # a territory of matching's, checked by intake
    arrival_date: date | None = None
    permit_type: str | None = None
    permit_expires_on: date | None = None
    permit_allows_work: bool | None = None
    education_level: str | None = None
    languages: list[LanguageLevel] = []
    skills: list[Skill] = []
    desired_occupations: list[Coded] = []
    experience_occupations: list[Coded] = []
    needs: list[str] = []
    vulnerability_level: str | None = None  # low, medium, high, critical (intake derives it)
    desired_sectors: list[str] = []  # NACE Rev. 2 sections
    plans_business: bool = False  # the migration project plans to start a business


class BeneficiaryChanged(Contract):
    """``beneficiary.registered`` and ``beneficiary.updated``."""

    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID
    profile: MatchingProfile


class Grant(Contract):
    organization_id: uuid.UUID
    sections: list[str]
    expires_at: datetime | None = None


class AccessChanged(Contract):
    """The whole current access list of a person: consumers replace theirs when ``version`` is
    newer than the one they hold, so redelivery and reordering are harmless."""

    beneficiary_id: uuid.UUID
    owner_organization_id: uuid.UUID
    grants: list[Grant]
    matching_consent: bool
    version: int


class BeneficiaryMerged(Contract):
    merged_id: uuid.UUID
    survivor_id: uuid.UUID
    organization_id: uuid.UUID


class BeneficiaryErased(Contract):
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID


class ConsentChanged(Contract):
    """``consent.granted`` and ``consent.withdrawn``."""

    consent_id: uuid.UUID
    beneficiary_id: uuid.UUID
    owner_organization_id: uuid.UUID
    purpose: str
    organization_id: uuid.UUID | None = None
    sections: list[str] = []


class EmergencyAccessChanged(Contract):
    """``emergency_access.opened`` and ``.closed``: who opened a person's record without consent,
    on which legal basis, which sections, when. Never the free-text reason (it stays in intake,
    shown to the registering organisation through the API)."""

    emergency_access_id: uuid.UUID
    beneficiary_id: uuid.UUID
    owner_organization_id: uuid.UUID
    organization_id: uuid.UUID
    reason_code: str
    sections: list[str]
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None = None


class DocumentChanged(Contract):
    """``document.changed``: a person's document stored, or deleted (then for good). What a
    reminder needs (its kind, section and expiry), never its name or bytes."""

    document_id: uuid.UUID
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID | None = None  # the organisation that uploaded it
    kind: str
    section: str
    expires_on: date | None = None
    deleted: bool = False


class TransferChanged(Contract):
    """``transfer.status_changed``: a request to move a person's case to another organisation,
    made (``pending``) or decided (``accepted``, ``rejected``, ``cancelled``: final). Never the
    free-text reasons (they stay in intake, shown to the two organisations through the API)."""

    transfer_id: uuid.UUID
    beneficiary_id: uuid.UUID
    from_organization_id: uuid.UUID
    to_organization_id: uuid.UUID
    status: str
    requested_at: datetime
    decided_at: datetime | None = None
