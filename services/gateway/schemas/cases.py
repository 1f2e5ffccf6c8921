"""The one-call case view (``GET /api/v1/cases/{beneficiary_id}``).

Its parts are the owning services' own answers, unchanged: the schemas point at theirs in the
merged OpenAPI document (``BeneficiaryRead`` of intake, ``PathwayRead`` and ``ActionRead`` of
pathways, ``ReferralRead`` of matching...), so a client generated from it reads them with the
same types as the single calls."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema


def _ref(schema: str) -> WithJsonSchema:
    """A part answered by its service, typed by that service's schema."""
    # Wrapped: a bare "$ref" beside the field's title makes pydantic look the name up among
    # the gateway's own schemas; the merged document (edge/openapi_merge.py) holds it.
    return WithJsonSchema({"allOf": [{"$ref": f"#/components/schemas/{schema}"}]})


BeneficiaryPart = Annotated[dict[str, Any], _ref("BeneficiaryRead")]
PathwayPart = Annotated[dict[str, Any], _ref("PathwayRead")]
ActionPart = Annotated[dict[str, Any], _ref("ActionRead")]
ReferralPart = Annotated[dict[str, Any], _ref("ReferralRead")]
ConsentPart = Annotated[dict[str, Any], _ref("ConsentRead")]
NotePart = Annotated[dict[str, Any], _ref("NoteRead")]
TaskPart = Annotated[dict[str, Any], _ref("TaskRead")]
AppointmentPart = Annotated[dict[str, Any], _ref("AppointmentRead")]


Section = Literal["pathways", "referrals", "consents", "notes", "tasks", "appointments"]
LATEST_NOTES = 5
NEXT_TASKS = 10
NEXT_APPOINTMENTS = 5


class CasePathway(BaseModel):
    pathway: PathwayPart
    actions: list[ActionPart] | None = Field(
        description="The plan's actions, for an open pathway; null for a closed one."
    )


class CaseView(BaseModel):
    beneficiary: BeneficiaryPart
    pathways: list[CasePathway] | None = Field(
        description="Open pathways first, then the most recent closed ones (at most "
        "3); null when pathways could not be read (see `unavailable`)."
    )
    referrals: list[ReferralPart] | None = Field(
        description="Open referrals (proposed, accepted, enrolled), the latest first."
    )
    consents: list[ConsentPart] | None = Field(
        description="Every consent of the person the caller may see, active or withdrawn."
    )
    notes: list[NotePart] | None = Field(
        description=f"The latest {LATEST_NOTES} notes the caller may read, newest first (the rest: "
        "`GET /api/v1/beneficiaries/{id}/notes`)."
    )
    tasks: list[TaskPart] | None = Field(
        description=f"The next {NEXT_TASKS} open tasks about the person in the caller's "
        "organisation, whoever holds them, the soonest due first (`GET /api/v1/tasks`)."
    )
    appointments: list[AppointmentPart] | None = Field(
        description=f"The next {NEXT_APPOINTMENTS} appointments from now, the soonest first."
    )
    unavailable: list[Section] = Field(
        description="Parts a service could not answer in time: the rest of the case still "
        "shows; retry for the missing parts."
    )


class CaseloadPerson(BaseModel):
    id: str
    given_name: str | None = Field(description="null where the caller may not see the name")
    family_name: str | None


class CaseloadRow(BaseModel):
    pathway: PathwayPart
    person: CaseloadPerson | None = Field(
        description="The person's name as intake shows it to the caller; null when intake does "
        "not show the person to the caller, or could not answer (see `unavailable`)."
    )


class CaseloadPage(BaseModel):
    items: list[CaseloadRow]
    next_cursor: str | None
    unavailable: list[Literal["people"]] = Field(
        description="`people` when intake could not answer: the rows come without names."
    )
