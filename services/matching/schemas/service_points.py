"""Bodies of ``/api/v1/service-points``: a service at a location, shaped like Open Referral HSDS
(a service, its location, its schedule, languages, contacts, eligibility and access)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    model_validator,
)

from services.matching.domain.needs import NeedDomain
from services.matching.domain.service_points import (
    AccessMode,
    ServicePointKind,
    ServicePointStatus,
    Tier,
    overlapping_hours,
)
from services.matching.schemas.offers import LanguageCode, Text, Title
from shared.sync import Removed, removed_field, watermark_field

Time = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
TerritoryCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)
]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Conditions = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


def _distinct(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


class OpeningHours(BaseModel):
    """One opening span (HSDS ``schedule``: ``byday`` and ``opens_at``/``closes_at``)."""

    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=1, le=7, description="ISO weekday: 1 Monday ... 7 Sunday")
    opens: Time = Field(description="local time, HH:MM")
    closes: Time = Field(description="local time, HH:MM, after `opens`")

    @model_validator(mode="after")
    def _ordered(self) -> OpeningHours:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        return self


def _no_overlaps(hours: list[OpeningHours]) -> list[OpeningHours]:
    days = overlapping_hours([span.model_dump() for span in hours])
    if days:
        raise ValueError(f"opening spans overlap on weekday {', '.join(map(str, days))}")
    return hours


Hours = Annotated[list[OpeningHours], AfterValidator(_no_overlaps)]


class TransportAccess(BaseModel):
    """How long it takes to get there by public transport from one of the main hubs."""

    model_config = ConfigDict(extra="forbid")

    hub: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    minutes: int = Field(ge=0, le=600)


class Contacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()./-]{3,40}$")] | None = None
    email: EmailStr | None = None


NeedDomains = Annotated[
    list[NeedDomain], Field(min_length=1, max_length=10), AfterValidator(_distinct)
]
Languages = Annotated[list[LanguageCode], Field(max_length=30), AfterValidator(_distinct)]
ClusterIds = Annotated[list[uuid.UUID], Field(max_length=50), AfterValidator(_distinct)]

EXAMPLE: dict[str, Any] = {
    "name": "Sportello migranti Esquilino",
    "description": "Legal first advice on permits and residence, with Arabic and Bangla mediators.",
    "kind": "legal_aid",
    "need_domains": ["documents_legal", "housing"],
    "tier": "low_threshold",
    "territory_code": "IT_058091",
    "address": "Via Principe Amedeo 12, 00185 Roma",
    "latitude": 41.8967,
    "longitude": 12.5018,
    "opening_hours": [
        {"weekday": 2, "opens": "09:30", "closes": "13:00"},
        {"weekday": 4, "opens": "14:30", "closes": "18:00"},
    ],
    "languages": ["it", "ar", "bn", "en"],
    "cultural_mediators": True,
    "documents_required": False,
    "access_mode": "drop_in",
    "access_conditions": "Free; no documents needed for a first talk.",
    "transport_access": [{"hub": "Roma Termini", "minutes": 8}],
    "contacts": {"phone": "+39 06 1234567", "email": "sportello@example.org"},
    "url": "https://example.org/sportello",
    "cluster_ids": [],
}


class ServicePointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    name: Title
    description: Text | None = None
    kind: ServicePointKind
    need_domains: NeedDomains
    tier: Tier
    territory_code: TerritoryCode = Field(description="a territory's code (GET /territories)")
    address: Line | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    opening_hours: Hours = Field(default_factory=list, max_length=50)
    languages: Languages = Field(default_factory=list, description="ISO 639-1 codes served")
    cultural_mediators: bool = False
    documents_required: bool = Field(default=False, description="identity or permit documents")
    access_mode: AccessMode
    access_conditions: Conditions | None = None
    transport_access: list[TransportAccess] = Field(default_factory=list, max_length=20)
    contacts: Contacts | None = None
    url: HttpUrl | None = Field(default=None, max_length=500)
    cluster_ids: ClusterIds = Field(
        default_factory=list,
        description="the clusters it is published to (your organisation must be a current "
        "member of each); empty: every organisation of the installation sees it",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ServicePointCreate:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


class ServicePointUpdate(BaseModel):
    """Fields present replace the stored ones; null clears an optional one. ``status`` active
    reopens a closed point."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "opening_hours": [{"weekday": 1, "opens": "09:00", "closes": "12:30"}],
                    "languages": ["it", "ar"],
                }
            ]
        },
    )

    name: Title | None = None
    description: Text | None = None
    kind: ServicePointKind | None = None
    need_domains: NeedDomains | None = None
    tier: Tier | None = None
    territory_code: TerritoryCode | None = None
    address: Line | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    opening_hours: Hours | None = Field(default=None, max_length=50)
    languages: Languages | None = None
    cultural_mediators: bool | None = None
    documents_required: bool | None = None
    access_mode: AccessMode | None = None
    access_conditions: Conditions | None = None
    transport_access: list[TransportAccess] | None = Field(default=None, max_length=20)
    contacts: Contacts | None = None
    url: HttpUrl | None = Field(default=None, max_length=500)
    cluster_ids: ClusterIds | None = None
    status: ServicePointStatus | None = None


class ServicePointRead(BaseModel):
    """A service at a location, after Open Referral HSDS 3: the service (`name`, `description`,
    `kind`, `need_domains`: its taxonomy terms), its organisation (`organization_id`), its
    location (`territory_code`, `address`, `latitude`, `longitude`), its schedule
    (`opening_hours`: HSDS `byday`, `opens_at`, `closes_at`), `languages`, `contacts` (phone,
    email), `url`, eligibility and access (`documents_required`, `access_mode`,
    `access_conditions`, `cultural_mediators`) and how to get there (`transport_access`). Ponte
    adds the `tier` of the gradual path and the `cluster_ids` it is published to."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
                    "organization_id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                    **EXAMPLE,
                    "status": "active",
                    "version": 1,
                    "created_at": "2026-12-06T09:00:00+00:00",
                    "updated_at": "2026-12-06T09:00:00+00:00",
                }
            ]
        }
    )

    id: uuid.UUID
    organization_id: uuid.UUID = Field(description="the organisation that runs it")
    name: str
    description: str | None
    kind: ServicePointKind
    need_domains: list[NeedDomain]
    tier: Tier
    territory_code: str
    address: str | None
    latitude: float | None
    longitude: float | None
    opening_hours: list[OpeningHours]
    languages: list[str]
    cultural_mediators: bool
    documents_required: bool
    access_mode: AccessMode
    access_conditions: str | None
    transport_access: list[TransportAccess]
    contacts: Contacts
    url: str | None
    cluster_ids: list[uuid.UUID]
    status: ServicePointStatus
    version: int
    created_at: datetime
    updated_at: datetime


class ServicePointPage(BaseModel):
    items: list[ServicePointRead]
    next_cursor: str | None
    removed: list[Removed] = removed_field(
        "the points deleted (`service_point`, `deleted`); a closed point comes as an item"
    )
    watermark: str | None = watermark_field()
