"""Events of the pathways service (version 1): ids and states, no personal data."""

from __future__ import annotations

import uuid
from datetime import date

from shared.contracts.intake import Contract

OPENED = "pathway.opened"
STEP_RECORDED = "pathway.step_recorded"
VIOLATION_DETECTED = "rights.violation_detected"
CLOSED = "pathway.closed"
REOPENED = "pathway.reopened"
TASK_DUE = "task.due"
LANGUAGE_CERTIFIED = "outcome.language_certified"
RECOGNITION_DECIDED = "outcome.recognition_decided"


class PathwayEvent(Contract):
    pathway_id: uuid.UUID
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID


class StepRecorded(PathwayEvent):
    step: str
    cycle: int
    priority_need: str | None = None  # set by assessments: matching weighs offers by it


class LanguageCertified(PathwayEvent):
    """A language level certified, recorded at a monitoring step of the pathway. Intake owns the
    profile: it sets the person's level in that language, verified, with the certificate, and
    records who changed it and why in the person's history."""

    code: str  # ISO 639-1
    level: str  # CEFR
    exam: str
    certified_on: date
    document_id: uuid.UUID | None = None  # the certificate, among the person's documents
    recorded_by: str  # the operator who recorded the follow-up
    recorded_on: date  # the date of the follow-up


class RecognitionDecided(PathwayEvent):
    """A decision on recognising a qualification, recorded on the pathway's
    ``qualification_recognition`` action that names it. Intake owns the profile: it records the
    decision on that qualification of the person (status, equivalent level) and raises the
    education level to the equivalent level when higher, with the person's history entry."""

    action_id: uuid.UUID
    qualification_id: uuid.UUID  # an id of the person's qualifications, checked by intake
    decision: str  # recognised, partially_recognised, refused
    decided_on: date
    equivalent_level: str | None = None  # ISCED 2011
    procedure: str | None = None
    authority: str | None = None
    recorded_by: str


class ViolationDetected(PathwayEvent):
    violation_id: uuid.UUID
    item: str
    forced_labour: bool


class PathwayClosed(PathwayEvent):
    outcome: str


class PathwayReopened(PathwayEvent):
    """A closed pathway opened again where it stood (its stage and cycle); the reason is read
    through the API (the timeline), never sent."""

    stage: str | None
    cycle: int


class TaskDue(Contract):
    """A task entered its organisation's list of what is due (once per task): ids, its kind and
    its date; the task is read through the API (``GET /api/v1/tasks/{task_id}``)."""

    task_id: str
    kind: str
    due_on: date
    organization_id: uuid.UUID
    pathway_id: uuid.UUID | None = None
    beneficiary_id: uuid.UUID | None = None
    assigned_to: str | None = None
