"""Bodies of the loop's steps: assessments, actions (respond), monitoring, adjustments and rights
checks."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.pathways.domain.actions import (
    ActionStatus,
    ActionType,
    RecognitionDecision,
    RecognitionProcedure,
)
from services.pathways.domain.employment import ContractType, EmploymentStatus
from services.pathways.domain.needs import PRIORITY_ORDER
from shared.contracts.classifications import NaceSection
from shared.dates import IsoDate

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
NeedDomain = Literal[PRIORITY_ORDER]  # type: ignore[valid-type]
Severity = Literal["low", "medium", "high", "critical"]
Answer = Literal["yes", "no", "unknown", "not_applicable"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A NUTS 2024 code (``ITI43``) or ``<country>_<LAU code>`` (``IT_058091``), as matching's
# territories code them (``GET /api/v1/territories``).
TerritoryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}(?:[A-Z0-9]{1,3}|_[A-Za-z0-9][A-Za-z0-9_.\-]{0,31})?$"),
]


class TerritorialContext(Strict):
    municipality: Title | None = None
    services_within_reach: list[Title] = Field(default_factory=list, max_length=30)
    notes: Note | None = None
    territory_code: TerritoryCode | None = Field(
        default=None,
        description="where the person lives: a territory's code (`IT_058091` for Roma), as "
        "proposed by `GET /api/v1/beneficiaries/{id}/territorial-context`",
    )
    service_point_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=30,
        description="the service points within reach the operator confirms (from the territorial "
        "context): each must exist, be active and be visible to your organisation",
    )


class Need(Strict):
    domain: NeedDomain
    severity: Severity
    conditions: list[NeedDomain] = Field(
        default_factory=list, max_length=10, description="the needs this one conditions"
    )


class PriorityChoice(Strict):
    domain: NeedDomain
    reason: Note = Field(description="why the operator chose another need than the proposal")


class AssessmentCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "territorial_context": {
                        "municipality": "Latina",
                        "services_within_reach": ["CPI Latina", "Caritas help desk"],
                        "territory_code": "IT_059011",
                    },
                    "labour_market_position": "informal",
                    "needs": [
                        {
                            "domain": "documents_legal",
                            "severity": "high",
                            "conditions": ["employment", "housing"],
                        },
                        {"domain": "employment", "severity": "high"},
                        {"domain": "housing", "severity": "medium"},
                    ],
                }
            ]
        },
    )

    territorial_context: TerritorialContext
    labour_market_position: EmploymentStatus
    needs: list[Need] = Field(min_length=1, max_length=10)
    priority_need: PriorityChoice | None = Field(
        default=None, description="omit to take the server's proposal"
    )


class Recognition(Strict):
    """The steps of recognising a foreign qualification, dated as they happen. Once it names the
    person's qualification and holds a decision, the decision goes to the person's record: the
    qualification's status and `recognition`, and the education level raised to
    `equivalent_level` when that is higher (`outcome.recognition_decided`)."""

    qualification_id: uuid.UUID | None = Field(
        default=None,
        description="the qualification it recognises: an id of `GET /api/v1/beneficiaries/"
        "{id}/qualifications` (one of another person is never changed)",
    )
    procedure: RecognitionProcedure | None = Field(
        default=None,
        description="academic (ENIC-NARIC), professional (a regulated profession), a declaration "
        "of value, or the validation of prior learning",
    )
    authority: Title | None = Field(default=None, description="the competent authority")
    documents_gathered: IsoDate | None = None
    translated: IsoDate | None = None
    submitted: IsoDate | None = None
    expected_decision_on: IsoDate | None = Field(
        default=None, description="when the authority should decide (a task once it has passed)"
    )
    decision_on: IsoDate | None = None
    decision: RecognitionDecision | None = None
    equivalent_level: Annotated[str, StringConstraints(pattern=r"^[0-8]$")] | None = Field(
        default=None,
        description="the ISCED 2011 level the qualification was recognised as equivalent to "
        "(with `recognised` or `partially_recognised`)",
    )


class Business(Strict):
    """The milestones of starting a business, dated as they are reached (an
    `entrepreneurship_workshop` action: the person plans to start one)."""

    idea: IsoDate | None = Field(default=None, description="the business idea, worked out")
    business_plan: IsoDate | None = None
    microcredit: IsoDate | None = Field(default=None, description="a microcredit granted")
    registration: IsoDate | None = Field(default=None, description="the business registered")
    first_revenue: IsoDate | None = None


class ActionCreate(Strict):
    type: ActionType
    title: Title
    need: NeedDomain | None = None
    provider_organization_id: uuid.UUID | None = None
    offer_id: uuid.UUID | None = Field(default=None, description="an offer of the matching service")
    service_point_id: uuid.UUID | None = Field(
        default=None,
        description="a service point of the matching service where the action takes place "
        "(active and visible to your organisation)",
    )
    due_date: IsoDate | None = None
    status: Literal["planned", "in_progress"] = "planned"
    recognition: Recognition | None = Field(
        default=None, description="for qualification_recognition actions"
    )
    business: Business | None = Field(
        default=None, description="for entrepreneurship_workshop actions: the milestones"
    )
    project_id: uuid.UUID | None = Field(
        default=None,
        description="the funded project it is carried out under: one your organisation leads or "
        "is a partner of, with the person enrolled (the fund's indicators count it for that "
        "project only; a referral made for the action goes with it)",
    )


class RespondCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "actions": [
                        {
                            "type": "legal_aid",
                            "title": "Permit renewal with the legal desk",
                            "need": "documents_legal",
                            "due_date": "2026-12-15",
                        },
                        {
                            "type": "language_course",
                            "title": "Italian A2 -> B1, evening course",
                            "need": "language",
                        },
                    ]
                }
            ]
        },
    )

    actions: list[ActionCreate] = Field(min_length=1, max_length=30)
    reason: Note | None = Field(
        default=None,
        description="required when it is not the loop's turn to respond (actions added between "
        "steps, or a second response in the cycle); kept with the plan's new version",
    )


class ActionUpdate(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "done", "progress": "Enrolled"}]}
    )

    status: ActionStatus | None = None
    due_date: IsoDate | None = None
    progress: Note | None = None
    provider_organization_id: uuid.UUID | None = None
    recognition: Recognition | None = None
    business: Business | None = None
    project_id: uuid.UUID | None = Field(
        default=None,
        description="the funded project it is carried out under (null: none): one your "
        "organisation leads or is a partner of, with the person enrolled (the fund's "
        "indicators count it for that project only; a referral made for the action goes with "
        "it)",
    )


class ActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    pathway_id: uuid.UUID
    type: str
    title: str
    need: str | None
    provider_organization_id: uuid.UUID | None
    offer_id: uuid.UUID | None
    service_point_id: uuid.UUID | None
    due_date: dt.date | None
    status: str
    progress: str | None
    escalation_target: str | None
    rights_item: str | None
    recognition: dict[str, Any] | None
    business: dict[str, Any] | None
    project_id: uuid.UUID | None
    created_in_cycle: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ActionProgress(Strict):
    action_id: uuid.UUID
    status: ActionStatus | None = None
    note: Note | None = None


class LanguageCertificate(Strict):
    exam: Title = Field(description="the certificate's name, e.g. `CILS B1`, `PLIDA B1`, `DELE B2`")
    certified_on: IsoDate = Field(description="the date on the certificate")
    document_id: uuid.UUID | None = Field(
        default=None,
        description="the scanned certificate, among the person's documents "
        "(`POST /api/v1/beneficiaries/{id}/documents`); one of another person's is not linked",
    )


class LanguageProgress(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
    level: Literal["A1", "A2", "B1", "B2", "C1", "C2"]
    certificate: LanguageCertificate | None = Field(
        default=None,
        description="the level is certified: the person's profile takes it as their verified "
        "level in that language (matching's eligibility and ranking read it), and their history "
        "says who recorded it at which follow-up",
    )


class JobEntered(Strict):
    """The job an employment change enters (with `employment_status`)."""

    sector: NaceSection | None = Field(default=None, description="NACE Rev. 2 section")
    employer_organization_id: uuid.UUID | None = Field(
        default=None, description="the employer, when it is an organisation in Ponte"
    )
    employer_name: Title | None = Field(default=None, description="otherwise, its name")
    contract_type: ContractType | None = None
    weekly_hours: int | None = Field(default=None, ge=1, le=80)


class MonitoringCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-12-01",
                    "progress": [],
                    "employment_status": "precarious_formal",
                    "notes": "Seasonal contract in a packing house",
                }
            ]
        },
    )

    date: IsoDate | None = Field(default=None, description="of the follow-up (defaults to today)")
    progress: list[ActionProgress] = Field(default_factory=list, max_length=30)
    employment_status: EmploymentStatus | None = None
    job: JobEntered | None = Field(
        default=None, description="the job the new `employment_status` enters (needs it)"
    )
    language_level: LanguageProgress | None = None
    notes: Note | None = None
    next_follow_up: IsoDate | None = Field(default=None, description="defaults to 30 days after")


class Reschedule(Strict):
    action_id: uuid.UUID
    due_date: IsoDate


class AdjustmentCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "Course cancelled by the provider",
                    "cancel": ["0f8c2b4e-1d2a-4b3c-8d9e-0a1b2c3d4e5f"],
                    "add": [],
                    "reschedule": [],
                }
            ]
        },
    )

    reason: Note = Field(
        description="why; an adjustment that cancels, adds and reschedules nothing keeps the plan "
        "as it is, for this reason"
    )
    cancel: list[uuid.UUID] = Field(default_factory=list, max_length=30)
    add: list[ActionCreate] = Field(default_factory=list, max_length=30)
    reschedule: list[Reschedule] = Field(default_factory=list, max_length=30)


class RightsCheckCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "answers": {"withholding_of_wages": "no", "written_contract": "no"},
                    "evidence": {"withholding_of_wages": "Two months unpaid, says the person"},
                }
            ]
        },
    )

    answers: dict[str, Answer] = Field(
        description="every item of the checklist: yes (fulfilled / free of it), no (violated), "
        "unknown or not_applicable; see the items in the rights-checks GET"
    )
    evidence: dict[str, Note] = Field(default_factory=dict)


class StepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    pathway_id: uuid.UUID
    cycle: int
    kind: str
    body: dict[str, Any]
    recorded_at: dt.datetime
    recorded_by: str
    out_of_turn: bool = Field(
        description="recorded outside the loop's turn (a rights check at any stage, actions "
        "added between steps), leaving the loop's stage where it was"
    )
    result: dict[str, Any] = Field(default_factory=dict, description="what the server derived")


class ChecklistItem(BaseModel):
    item: str = Field(description="the item's code (the rights-check-items code list)")
    question: str
    forced_labour: bool = Field(description="an ILO indicator of forced labour")
    escalation: list[str] = Field(description="whom a violation escalates to")


class RightsChecksRead(BaseModel):
    """The rights checks recorded (the whole list: ``next_cursor`` is always null) and the
    checklist a new one answers."""

    items: list[StepRead]
    next_cursor: str | None = None
    checklist: list[ChecklistItem]
