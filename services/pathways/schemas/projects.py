"""Bodies of projects, their participants and participants' feedback."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.pathways.domain.funds import Evidence, Fund, HelpedIntegration
from shared.dates import IsoDate
from shared.pagination import WholeCursor

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportingPeriod(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    label: Label = Field(description="e.g. `2026-H1`")
    date_from: IsoDate = Field(alias="from")
    date_to: IsoDate = Field(alias="to")


class ProjectCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "LIME Latina",
                    "fund": "amif",
                    "grant_code": "101140211",
                    "starts_on": "2026-01-01",
                    "ends_on": "2027-12-31",
                    "reporting_periods": [
                        {"label": "2026", "from": "2026-01-01", "to": "2026-12-31"},
                        {"label": "2027", "from": "2027-01-01", "to": "2027-12-31"},
                    ],
                    "partner_organization_ids": [],
                }
            ]
        },
    )

    name: Name
    fund: Fund
    grant_code: Label | None = Field(default=None, description="the grant agreement's number")
    starts_on: IsoDate
    ends_on: IsoDate
    reporting_periods: list[ReportingPeriod] = Field(default_factory=list, max_length=40)
    partner_organization_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="the partners: their staff read the project, enrol participants and read "
        "its indicators",
    )


class ProjectUpdate(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"grant_code": "101140211-A1"}]}
    )

    name: Name | None = None
    grant_code: Label | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    reporting_periods: list[ReportingPeriod] | None = Field(default=None, max_length=40)
    partner_organization_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)


class ProjectRead(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID = Field(description="the lead organisation")
    name: str
    fund: Fund
    grant_code: str | None
    starts_on: dt.date
    ends_on: dt.date
    reporting_periods: list[ReportingPeriod]
    partner_organization_ids: list[uuid.UUID]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProjectList(BaseModel):
    items: list[ProjectRead]
    next_cursor: WholeCursor = None


class ParticipantCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "beneficiary_id": "5b0e6a4c-9f1d-4f5e-8a61-2d3c4b5a6f70",
                    "enrolled_on": "2026-03-02",
                    "third_country_national": True,
                    "evidence": "residence_permit",
                }
            ]
        },
    )

    beneficiary_id: uuid.UUID
    enrolled_on: IsoDate | None = Field(default=None, description="defaults to today")
    third_country_national: bool = Field(
        description="the eligibility AMIF asks for; an AMIF project enrols only true"
    )
    evidence: Evidence = Field(description="what showed it")
    evidence_document_id: uuid.UUID | None = Field(
        default=None, description="the person's document that shows it (intake's), if one does"
    )


class ParticipantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    project_id: uuid.UUID
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID = Field(description="the organisation that enrolled them")
    enrolled_on: dt.date
    third_country_national: bool
    evidence: Evidence
    evidence_document_id: uuid.UUID | None
    enrolled_by: str
    created_at: dt.datetime


class ParticipantPage(BaseModel):
    items: list[ParticipantRead]
    next_cursor: str | None


class FeedbackCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"helped_integration": "yes", "satisfaction": 4}]},
    )

    helped_integration: HelpedIntegration = Field(
        description="did the support help your integration?"
    )
    satisfaction: int | None = Field(default=None, ge=1, le=5, description="1 (not at all) to 5")
    action_id: uuid.UUID | None = Field(
        default=None, description="the action it is about, one of the pathway's"
    )
    answered_on: IsoDate | None = Field(default=None, description="defaults to today")


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    pathway_id: uuid.UUID
    action_id: uuid.UUID | None
    helped_integration: HelpedIntegration
    satisfaction: int | None
    answered_on: dt.date
    source: str
    recorded_by: str
    created_at: dt.datetime


class FeedbackList(BaseModel):
    items: list[FeedbackRead]
    next_cursor: WholeCursor = None
