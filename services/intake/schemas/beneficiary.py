"""Request and response bodies of ``/api/v1/beneficiaries``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.intake.domain.enums import Section, VulnerabilityLevel
from services.intake.schemas.codes import Country, IscedLevelCode, NeedDomain, Sex
from services.intake.schemas.consent import ConsentRead
from services.intake.schemas.profile import (
    Contact,
    Language,
    LegalStatus,
    MigrationProject,
    Qualification,
    Skill,
    Text,
    Vulnerability,
    WorkExperience,
)
from shared.contracts.territories import TerritoryCode
from shared.dates import IsoDate

Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
Municipality = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

EXAMPLE: dict[str, Any] = {
    "given_name": "Ahmed",
    "family_name": "Mansour",
    "birth_date": "2003-04-17",
    "sex": "male",
    "nationality": "EG",
    "country_of_birth": "EG",
    "arrival_date": "2026-03-10",
    "municipality": "Roma",
    "contact": {"phone": "+39 333 123 4567", "preferred_language": "ar"},
    "legal_status": {
        "permit_type": "IT-richiesta-asilo",
        "permit_expires_on": "2031-03-09",  # years ahead: the example stays a valid permit
        "asylum_stage": "applied",
        "documents_held": ["passport"],
    },
    "migration_project": {
        "reasons": ["work"],
        "intended_stay": "long_term",
        "desired_occupations": [
            {
                "esco_uri": "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7",
                "label": "bricklayer",
            }
        ],
        "desired_sectors": ["construction"],
        "desired_sector_codes": ["F"],
    },
    "languages": [
        {"code": "ar", "native": True},
        {"code": "it", "level": "A2"},
    ],
    "education_level": "2",
    "work_experience": [
        {"occupation": {"label": "bricklayer"}, "years": 3, "formal": False, "country": "EG"}
    ],
    "skills": [
        {
            "uri": "http://data.europa.eu/esco/skill/13e1c0a2-b90d-46f4-be51-11730360b38d",
            "label": "lay bricks",
        }
    ],
    "needs": ["documents_legal", "language", "employment"],
    "vulnerability": {"informal_work": True},
}


class Profile(BaseModel):
    """Everything but identity: shared by create and read."""

    model_config = ConfigDict(extra="forbid")

    arrival_date: IsoDate | None = Field(default=None, description="arrival in the host country")
    municipality: Municipality | None = None
    territory_code: TerritoryCode | None = Field(
        default=None,
        description="where the person lives: a territory code (`GET /api/v1/territories`, e.g. "
        "`IT_058091` for Roma); `municipality` stays a free-text label",
        examples=["IT_058091"],
    )
    contact: Contact | None = None
    legal_status: LegalStatus | None = None
    migration_project: MigrationProject | None = None
    languages: list[Language] = Field(default_factory=list, max_length=20)
    education_level: IscedLevelCode | None = Field(default=None, description="ISCED 2011, 0-8")
    education_field: Text | None = None
    education_country: Country | None = None
    qualifications: list[Qualification] = Field(default_factory=list, max_length=20)
    work_experience: list[WorkExperience] = Field(default_factory=list, max_length=30)
    skills: list[Skill] = Field(default_factory=list, max_length=100)
    needs: list[NeedDomain] = Field(default_factory=list, max_length=10)
    vulnerability: Vulnerability | None = None


class BeneficiaryCreate(Profile):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    given_name: Name
    family_name: Name
    birth_date: IsoDate
    sex: Sex | None = None
    nationality: Country | None = Field(default=None, description="ISO 3166-1 alpha-2")
    stateless: bool = False
    country_of_birth: Country | None = None
    external_id: ExternalId | None = Field(
        default=None, description="the registering system's own id (unique per organisation)"
    )


# Every field of a create may be patched; null clears an optional one.
PATCHABLE = frozenset(BeneficiaryCreate.model_fields)


class BeneficiaryUpdate(BaseModel):
    """Fields present replace the stored ones (lists and objects as a whole); null clears."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"municipality": "Fiumicino", "needs": ["housing"]}]},
    )

    given_name: Name | None = None
    family_name: Name | None = None
    birth_date: IsoDate | None = None
    sex: Sex | None = None
    nationality: Country | None = None
    stateless: bool | None = None
    country_of_birth: Country | None = None
    external_id: ExternalId | None = None
    arrival_date: IsoDate | None = None
    municipality: Municipality | None = None
    territory_code: TerritoryCode | None = None
    contact: Contact | None = None
    legal_status: LegalStatus | None = None
    migration_project: MigrationProject | None = None
    languages: list[Language] | None = Field(default=None, max_length=20)
    education_level: IscedLevelCode | None = None
    education_field: Text | None = None
    education_country: Country | None = None
    qualifications: list[Qualification] | None = Field(default=None, max_length=20)
    work_experience: list[WorkExperience] | None = Field(default=None, max_length=30)
    skills: list[Skill] | None = Field(default=None, max_length=100)
    needs: list[NeedDomain] | None = Field(default=None, max_length=10)
    vulnerability: Vulnerability | None = None


class Derived(BaseModel):
    """Computed by the server from the record, with the reasons behind the level."""

    age: int | None
    years_since_arrival: float | None
    recent_arrival: bool | None = Field(description="arrived less than 5 years ago")
    vulnerability_level: VulnerabilityLevel | None
    vulnerability_reasons: list[str]


class RecordStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    ERASED = "erased"


class BeneficiaryRead(BaseModel):
    """A person as the caller may see them: an organisation the person shared with sees only the
    sections they agreed to (``visible_sections``); the other fields are absent."""

    id: uuid.UUID
    organization_id: uuid.UUID
    status: RecordStatus
    visible_sections: list[Section]
    created_at: datetime
    updated_at: datetime
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    nationality: str | None = None
    stateless: bool | None = None
    country_of_birth: str | None = None
    external_id: str | None = None
    arrival_date: date | None = None
    municipality: str | None = None
    territory_code: str | None = None
    contact: Contact | None = None
    legal_status: LegalStatus | None = None
    migration_project: MigrationProject | None = None
    languages: list[Language] | None = None
    education_level: str | None = None
    education_field: str | None = None
    education_country: str | None = None
    qualifications: list[Qualification] | None = None
    work_experience: list[WorkExperience] | None = None
    skills: list[Skill] | None = None
    needs: list[str] | None = None
    vulnerability: Vulnerability | None = None
    derived: Derived | None = None
    consents: list[ConsentRead] | None = Field(
        default=None,
        description="in a sync (`since`), to the registering organisation only: the person's "
        "consents, withdrawn ones included; otherwise absent",
    )


class DuplicateCandidate(BaseModel):
    id: uuid.UUID
    score: float = Field(ge=0, le=1)
    reasons: list[str]
    organization_id: uuid.UUID


class Registered(BeneficiaryRead):
    possible_duplicates: list[DuplicateCandidate] = Field(
        description="Records you may see that look like the same person (score, reasons)."
    )


class Tombstone(BaseModel):
    """An erased or merged record in a sync (``updated_since``): drop or repoint your copy."""

    id: uuid.UUID
    status: RecordStatus
    updated_at: datetime
    merged_into: uuid.UUID | None = None


class MergedPointer(BaseModel):
    id: uuid.UUID
    status: RecordStatus
    merged_into: uuid.UUID
