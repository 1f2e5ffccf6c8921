"""The parts of a person's record (domain.md, "Intake"), as strict request and response models:
unknown fields are refused, codes are checked against the code lists, free text is bounded."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.intake.domain.enums import (
    AsylumStage,
    Document,
    FamilySituation,
    IntendedStay,
    Reason,
)
from services.intake.schemas.codes import (
    CefrLevel,
    Country,
    EscoOccupationUri,
    EscoSkillUri,
    IloIndicator,
    IscedFieldCode,
    IscedLevelCode,
    LanguageCode,
    PermitType,
    RecognitionStatus,
)
from shared.contracts.classifications import NaceSection
from shared.dates import IsoDate
from shared.pagination import WholeCursor

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()./-]{6,30}$")]


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Contact(Part):
    email: EmailStr | None = None
    phone: Phone | None = None
    address: Text | None = None
    preferred_language: LanguageCode | None = Field(
        default=None, description="ISO 639-1: the language to contact the person in"
    )


class LegalStatus(Part):
    permit_type: PermitType | None = None
    permit_expires_on: IsoDate | None = None
    permit_allows_work: bool | None = Field(
        default=None,
        description="Defaults to what the permit type allows; set it when the document says "
        "otherwise.",
    )
    asylum_stage: AsylumStage | None = None
    documents_held: list[Document] = Field(default_factory=list, max_length=len(Document))


class Occupation(Part):
    esco_uri: EscoOccupationUri | None = None
    label: Text


class Plans(Part):
    study: bool = False
    start_business: bool = False
    move_on: bool = False
    return_home: bool = False


class MigrationProject(Part):
    reasons: list[Reason] = Field(default_factory=list, max_length=len(Reason))
    intended_stay: IntendedStay | None = None
    family_situation: FamilySituation | None = None
    dependants_here: int = Field(default=0, ge=0, le=30)
    dependants_abroad: int = Field(default=0, ge=0, le=30)
    desired_occupations: list[Occupation] = Field(default_factory=list, max_length=10)
    desired_sectors: list[Text] = Field(
        default_factory=list, max_length=10, description="as the person put it"
    )
    desired_sector_codes: list[NaceSection] = Field(
        default_factory=list,
        max_length=21,
        description="the sectors they want to work in, as NACE Rev. 2 sections (code list "
        "`nace-sections`): ranking lifts offers in them",
    )
    plans: Plans = Field(
        default_factory=Plans,
        description="`start_business` lifts entrepreneurship offers in ranking, whatever the "
        "priority need",
    )
    notes: Note | None = None


class LanguageSkills(Part):
    """Self-assessment grid of the CEFR, where known."""

    listening: CefrLevel | None = None
    reading: CefrLevel | None = None
    spoken_interaction: CefrLevel | None = None
    spoken_production: CefrLevel | None = None
    writing: CefrLevel | None = None


class LanguageCertificate(Part):
    exam: Text = Field(description="the certificate's name, e.g. `CILS B1`")
    certified_on: IsoDate
    document_id: uuid.UUID | None = Field(
        default=None, description="the scanned certificate, one of the person's documents"
    )
    recorded_at_pathway: uuid.UUID | None = Field(
        default=None, description="the pathway whose follow-up recorded it, if one did"
    )


class Language(Part):
    code: LanguageCode = Field(description="ISO 639-1")
    level: CefrLevel | None = Field(default=None, description="overall CEFR level")
    native: bool = False
    skills: LanguageSkills | None = None
    verified: bool = Field(
        default=False,
        description="the level is certified, not declared: set with `certificate` when a "
        "certified level is recorded at a pathway's follow-up",
    )
    certificate: LanguageCertificate | None = None


class QualificationRecognition(Part):
    """The decision of a recognition procedure (a `qualification_recognition` action of a
    pathway that names this qualification), as Ponte recorded it."""

    decision: RecognitionStatus = Field(
        description="`recognised`, `partially_recognised` or `refused`"
    )
    decided_on: IsoDate
    equivalent_level: IscedLevelCode | None = Field(
        default=None, description="the ISCED level it was recognised as equivalent to"
    )
    procedure: Text | None = Field(
        default=None,
        description="`academic`, `professional`, `declaration_of_value` or "
        "`validation_of_prior_learning`",
    )
    authority: Text | None = None
    pathway_id: uuid.UUID
    action_id: uuid.UUID


class QualificationFields(Part):
    """What an operator records of a qualification obtained abroad (or here)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"title": "Licence en génie civil", "country": "SN", "year": 2014,
                 "institution": "Université Cheikh Anta Diop", "field": "07", "level": "6"}
            ]
        },
    )  # fmt: skip

    title: Text
    country: Country | None = None
    year: int | None = Field(default=None, ge=1940, le=2100)
    institution: Text | None = None
    field: IscedFieldCode | None = Field(default=None, description="ISCED-F 2013 broad field")
    level: IscedLevelCode | None = Field(
        default=None, description="ISCED 2011 level of the qualification where it was obtained"
    )
    eqf_level: int | None = Field(default=None, ge=1, le=8, description="EQF level, 1-8")
    document_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=10,
        description="its diploma, transcripts or translations: documents of the person",
    )
    recognition_status: RecognitionStatus = "none"


class QualificationUpdate(Part):
    """The fields to change; `null` clears an optional one (never the title)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"recognition_status": "requested"}]}
    )

    title: Text | None = None
    country: Country | None = None
    year: int | None = Field(default=None, ge=1940, le=2100)
    institution: Text | None = None
    field: IscedFieldCode | None = None
    level: IscedLevelCode | None = None
    eqf_level: int | None = Field(default=None, ge=1, le=8)
    document_ids: list[uuid.UUID] | None = Field(default=None, max_length=10)
    recognition_status: RecognitionStatus | None = None


class Qualification(QualificationFields):
    id: uuid.UUID | None = Field(
        default=None,
        description="set by Ponte; send it back with the list to keep the qualification (and the "
        "recognition procedures that name it); an id the record does not hold is refused",
    )
    recognition: QualificationRecognition | None = Field(
        default=None,
        description="set by Ponte from the decision of the recognition procedure naming this "
        "qualification; what a client sends here is ignored",
    )


class WorkExperience(Part):
    occupation: Occupation
    years: float = Field(ge=0, le=70)
    formal: bool = Field(description="with a contract and social security")
    country: Country | None = None


class SkillSource(Part):
    offer_id: uuid.UUID
    offer_type: Text
    referral_id: uuid.UUID
    completed_on: IsoDate
    certified_by: uuid.UUID = Field(description="the provider that marked the referral completed")


class Skill(Part):
    uri: EscoSkillUri | None = Field(default=None, description="ESCO skill URI where known")
    label: Text
    verified: bool = Field(default=False, description="checked by an operator or a test")
    source: SkillSource | None = Field(
        default=None,
        description="the completed offer that taught it, when one did (set by Ponte when its "
        "provider marks the referral completed; the skill is then verified)",
    )


class Vulnerability(Part):
    forced_labour_indicators: list[IloIndicator] = Field(default_factory=list, max_length=11)
    informal_work: bool = False
    homeless: bool = False
    unaccompanied_minor_on_arrival: bool = False
    notes: Note | None = None


class QualificationList(BaseModel):
    items: list[Qualification]
    next_cursor: WholeCursor = None
