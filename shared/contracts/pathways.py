"""Events of the pathways service (version 1): ids and states, no personal data."""

from __future__ import annotations

import uuid

from shared.contracts.intake import Contract

OPENED = "pathway.opened"
STEP_RECORDED = "pathway.step_recorded"
VIOLATION_DETECTED = "rights.violation_detected"
CLOSED = "pathway.closed"
REOPENED = "pathway.reopened"


class PathwayEvent(Contract):
    pathway_id: uuid.UUID
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID


class StepRecorded(PathwayEvent):
    step: str
    cycle: int
    priority_need: str | None = None  # set by assessments: matching weighs offers by it


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
