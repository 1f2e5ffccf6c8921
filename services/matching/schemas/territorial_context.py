"""Bodies of ``/api/v1/beneficiaries/{id}/territorial-context`` and of the pathways' internal check
of the service points an assessment or an action names."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.config import JsonDict

from services.matching.domain.needs import NEED_DOMAINS
from services.matching.domain.territories import CODE_PATTERN
from services.matching.schemas.territories import TerritoryDetail, TerritoryRead

# The codes of domain.needs.NeedDomain, inlined in the query's schema as they always were.
NeedDomain = Literal[NEED_DOMAINS]  # type: ignore[valid-type]
TerritoryCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]

_DESK: JsonDict = {
    "id": "7b1e2c9a-3f4d-4e5a-9b6c-1d2e3f4a5b6c",
    "name": "Sportello migranti, Municipio I",
    "kind": "legal_aid",
    "organization_id": "2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d",
    "tier": "low_threshold",
    "territory_code": "IT_058091",
    "address": "Via Petroselli 50, Roma",
    "need_domains": ["documents_legal"],
    "languages": ["it", "ar", "en"],
    "cultural_mediators": True,
    "documents_required": False,
    "access_mode": "drop_in",
    "same_municipality": True,
    "nearest_hub": "Roma Termini",
    "minutes": 12,
}


class ServicePointProposal(BaseModel):
    """A service point within reach, as proposed for a need."""

    id: uuid.UUID
    name: str
    kind: str
    organization_id: uuid.UUID
    tier: str
    territory_code: str
    address: str | None
    need_domains: list[str]
    languages: list[str]
    cultural_mediators: bool
    documents_required: bool
    access_mode: str
    same_municipality: bool = Field(description="in the person's own territory (municipality)")
    nearest_hub: str | None = Field(description="the public-transport hub nearest in time")
    minutes: int | None = Field(description="from that hub; none when no time is known")


class ByTier(BaseModel):
    """Each tier's points, nearest first (the gradual path: low threshold first)."""

    low_threshold: list[ServicePointProposal]
    intermediate: list[ServicePointProposal]
    structured: list[ServicePointProposal]


class NeedContextRead(BaseModel):
    domain: str
    assessed: bool = Field(description="one of the person's needs (else asked with `need`)")
    service_points: ByTier
    left_out: int = Field(description="points within reach answering it beyond those listed")


class TerritorialContextRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "beneficiary_id": "5d7c0d5e-8c1a-4c3e-9f0b-2b1f3f7a9c11",
                    "territory": {
                        "code": "IT_058091",
                        "scheme": "lau",
                        "level": 4,
                        "parent_code": "ITI43",
                        "country": "IT",
                        "name_latin": "Roma",
                        "name_national": "Roma",
                        "parents": [],
                    },
                    "reach": {
                        "code": "ITI43",
                        "scheme": "nuts",
                        "level": 3,
                        "parent_code": "ITI4",
                        "country": "IT",
                        "name_latin": "Roma",
                        "name_national": "Roma",
                    },
                    "needs": [
                        {
                            "domain": "documents_legal",
                            "assessed": True,
                            "service_points": {
                                "low_threshold": [_DESK],
                                "intermediate": [],
                                "structured": [],
                            },
                            "left_out": 0,
                        },
                    ],
                    "gaps": ["childcare"],
                }
            ]
        }
    )

    beneficiary_id: uuid.UUID
    territory: TerritoryDetail | None = Field(
        description="where the person lives, with its parents; none while their residence has "
        "no territory code (then nothing is within reach and no gap is computed)"
    )
    reach: TerritoryRead | None = Field(
        description="the region searched: the NUTS 3 region holding the person's territory"
    )
    needs: list[NeedContextRead] = Field(
        description="the person's needs, then those asked for with `need`, each once"
    )
    gaps: list[str] = Field(description="needs that no service point within reach answers")


class ServicePointCheck(BaseModel):
    """Pathways' question before it records an assessment or actions naming service points."""

    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    organization_id: uuid.UUID
    territory_codes: list[TerritoryCode] = Field(default_factory=list, max_length=20)


class ServicePointFacts(BaseModel):
    id: uuid.UUID
    name: str
    tier: str
    territory_code: str
    need_domains: list[str]


class ServicePointCheckResult(BaseModel):
    usable: list[ServicePointFacts] = Field(
        description="those that exist, are active and are published to the organisation"
    )
    refused: list[uuid.UUID] = Field(description="the others (unknown, closed or not visible)")
    unknown_territory_codes: list[str]
