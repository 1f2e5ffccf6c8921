"""Bodies of ``/api/v1/offers``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.matching.domain.offers import OfferStatus, OfferType
from shared.contracts.classifications import NaceSection
from shared.contracts.territories import TerritoryCode
from shared.dates import IsoDate
from shared.sync import Removed, removed_field, watermark_field

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
# An offer may list every skill ESCO v1.1.1 gives an occupation: at most 133 essential and 319
# optional ones (occupationSkillRelations.csv), so an imported occupation is never cut short.
MAX_REQUIRED_SKILLS = 150
MAX_PREFERRED_SKILLS = 350
MAX_TAUGHT_SKILLS = 150
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SkillUri = Annotated[
    str, StringConstraints(pattern=rf"^http://data\.europa\.eu/esco/skill/{_UUID}$")
]
OccupationUri = Annotated[
    str, StringConstraints(pattern=rf"^http://data\.europa\.eu/esco/occupation/{_UUID}$")
]


def _iso_639_1(code: str) -> str:
    if pycountry.languages.get(alpha_2=code) is None:
        raise ValueError("is not an ISO 639-1 language code")
    return code


LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$"), AfterValidator(_iso_639_1)]
Cefr = Literal["A1", "A2", "B1", "B2", "C1", "C2"]
Isced = Literal["0", "1", "2", "3", "4", "5", "6", "7", "8"]
PayPeriod = Literal["hour", "month", "total"]
PayKind = Literal["salary", "stipend"]


class Pay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(ge=0, le=1_000_000, decimal_places=2)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    period: PayPeriod
    kind: PayKind


EXAMPLE: dict[str, Any] = {
    "type": "internship",
    "title": "Bricklaying internship on a residential site",
    "description": "Six months with a tutor; safety course included.",
    "municipality": "Latina",
    "territory_code": "IT_059011",
    "latitude": 41.4675,
    "longitude": 12.9036,
    "schedule": "Mon-Fri 7:30-15:30",
    "starts_on": "2031-01-13",  # years ahead: the example stays an offer one can join
    "ends_on": "2031-07-11",
    "seats": 4,
    "skills_required": ["http://data.europa.eu/esco/skill/13e1c0a2-b90d-46f4-be51-11730360b38d"],
    "skills_preferred": [],
    "occupation_uri": "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7",
    "min_language_code": "it",
    "min_language_level": "A2",
    "age_min": 18,
    "permit_must_allow_work": True,
    "pay": {"amount": 600, "currency": "EUR", "period": "month", "kind": "stipend"},
    "languages_of_instruction": ["it"],
    "status": "open",
}


MAX_CLUSTERS = 20
CLUSTERS = (
    "the clusters the offer is published to (each one the provider is a member of); empty: "
    "every cluster of the installation"
)

SECTOR = (
    "the employer's or the activity's sector, a NACE Rev. 2 section (code list `nace-sections`): "
    "ranking lifts the offer for people who want to work in it"
)


class OfferFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Text | None = None
    municipality: Title | None = None
    territory_code: TerritoryCode | None = Field(
        default=None,
        description="where the offer takes place: a territory code (`GET /api/v1/territories`); "
        "without one, the municipality's where exactly one LAU has that name",
    )
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    schedule: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    skills_required: list[SkillUri] = Field(
        default_factory=list,
        max_length=MAX_REQUIRED_SKILLS,
        description=f"at most {MAX_REQUIRED_SKILLS}: every essential skill of any ESCO occupation",
    )
    skills_preferred: list[SkillUri] = Field(
        default_factory=list,
        max_length=MAX_PREFERRED_SKILLS,
        description=f"at most {MAX_PREFERRED_SKILLS}: every optional skill of any ESCO occupation",
    )
    skills_taught: list[SkillUri] = Field(
        default_factory=list,
        max_length=MAX_TAUGHT_SKILLS,
        description=f"at most {MAX_TAUGHT_SKILLS}: what a person learns here (a training's, a "
        "course's or an internship's outcomes); matches name this offer where another asks for "
        "a skill the person lacks",
    )
    occupation_uri: OccupationUri | None = None
    sector: NaceSection | None = Field(default=None, description=SECTOR)
    min_language_code: LanguageCode | None = None
    min_language_level: Cefr | None = None
    min_education_level: Isced | None = None
    age_min: int | None = Field(default=None, ge=14, le=100)
    age_max: int | None = Field(default=None, ge=14, le=100)
    permit_must_allow_work: bool = False
    pay: Pay | None = None
    languages_of_instruction: list[LanguageCode] = Field(default_factory=list, max_length=10)
    cluster_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_CLUSTERS, description=CLUSTERS
    )


class OfferCreate(OfferFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    type: OfferType
    title: Title
    seats: int = Field(ge=1, le=10_000)
    status: OfferStatus = OfferStatus.DRAFT

    @model_validator(mode="after")
    def _consistent(self) -> OfferCreate:
        check_consistency(self)
        return self


def check_consistency(offer: OfferFields) -> None:
    """Rules across fields; raised as ValueError so they are field errors of the body."""
    if offer.starts_on and offer.ends_on and offer.ends_on < offer.starts_on:
        raise ValueError("ends_on is before starts_on")
    if offer.age_min is not None and offer.age_max is not None and offer.age_max < offer.age_min:
        raise ValueError("age_max is below age_min")
    if (offer.min_language_code is None) != (offer.min_language_level is None):
        raise ValueError("min_language_code and min_language_level go together")
    if (offer.latitude is None) != (offer.longitude is None):
        raise ValueError("latitude and longitude go together")
    if set(offer.skills_required) & set(offer.skills_preferred):
        raise ValueError("a skill is either required or preferred")


class OfferUpdate(BaseModel):
    """Fields present replace the stored ones; null clears an optional one."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "open", "seats": 6}]}
    )

    type: OfferType | None = None
    title: Title | None = None
    seats: int | None = Field(default=None, ge=1, le=10_000)
    status: OfferStatus | None = None
    description: Text | None = None
    municipality: Title | None = None
    territory_code: TerritoryCode | None = Field(
        default=None,
        description="a territory code; null: the municipality's where unambiguous. Changing only "
        "the municipality re-reads a code that was read from the old one, and keeps a code given",
    )
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    schedule: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    skills_required: list[SkillUri] | None = Field(default=None, max_length=MAX_REQUIRED_SKILLS)
    skills_preferred: list[SkillUri] | None = Field(default=None, max_length=MAX_PREFERRED_SKILLS)
    skills_taught: list[SkillUri] | None = Field(default=None, max_length=MAX_TAUGHT_SKILLS)
    occupation_uri: OccupationUri | None = None
    sector: NaceSection | None = Field(default=None, description=SECTOR)
    min_language_code: LanguageCode | None = None
    min_language_level: Cefr | None = None
    min_education_level: Isced | None = None
    age_min: int | None = Field(default=None, ge=14, le=100)
    age_max: int | None = Field(default=None, ge=14, le=100)
    permit_must_allow_work: bool | None = None
    pay: Pay | None = None
    languages_of_instruction: list[LanguageCode] | None = Field(default=None, max_length=10)
    cluster_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=MAX_CLUSTERS, description=CLUSTERS + "; null: every cluster"
    )


class SkillRef(BaseModel):
    uri: str
    label: str | None
    required: bool


class SkillLabel(BaseModel):
    uri: str
    label: str | None = Field(description="the preferred label in the response's language")


class OfferRead(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    type: OfferType
    title: str
    description: str | None
    status: OfferStatus
    municipality: str | None
    territory_code: str | None
    latitude: float | None
    longitude: float | None
    schedule: str | None
    starts_on: date | None
    ends_on: date | None
    seats: int
    seats_left: int
    skills: list[SkillRef]
    skills_taught: list[SkillLabel]
    occupation_uri: str | None
    sector: str | None = Field(description=SECTOR)
    min_language_code: str | None
    min_language_level: str | None
    min_education_level: str | None
    age_min: int | None
    age_max: int | None
    permit_must_allow_work: bool
    pay: Pay | None
    languages_of_instruction: list[str]
    cluster_ids: list[uuid.UUID] = Field(description=CLUSTERS)
    created_at: datetime
    updated_at: datetime


class OfferPage(BaseModel):
    items: list[OfferRead]
    next_cursor: str | None
    removed: list[Removed] = removed_field("the offers deleted (`offer`, `deleted`)")
    watermark: str | None = watermark_field()
