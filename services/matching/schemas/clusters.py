"""Bodies of ``/api/v1/clusters`` and ``/{id}``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.matching.domain.cluster_access import ClusterStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
TargetGroup = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
TerritoryCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)
]
TerritoryCodes = Annotated[list[TerritoryCode], Field(min_length=1, max_length=50)]

EXAMPLE: dict[str, Any] = {
    "name": "MEIC Roma",
    "description": "Employment services, training providers and employers of Rome's province.",
    "territory_codes": ["ITI43"],
    "target_group": "Third-country nationals aged 18-35 looking for work",
    "sector_focus": ["construction", "hospitality"],
    "status": "forming",
    "coordinator_organization_id": "0b7c8a49-5b0e-4c7a-9d8e-2f4b8f0c1a11",
}


class ClusterCreate(BaseModel):
    """The coordinator organisation defaults to a coordinator's own; the platform admin names it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    name: Name
    description: Description | None = None
    territory_codes: TerritoryCodes
    target_group: TargetGroup | None = None
    sector_focus: list[Label] = Field(default_factory=list, max_length=30)
    status: ClusterStatus = ClusterStatus.FORMING
    coordinator_organization_id: uuid.UUID | None = None


class ClusterUpdate(BaseModel):
    """Fields present replace the stored ones; null clears an optional one."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "active"}]}
    )

    name: Name | None = None
    description: Description | None = None
    territory_codes: TerritoryCodes | None = None
    target_group: TargetGroup | None = None
    sector_focus: list[Label] | None = Field(default=None, max_length=30)
    status: ClusterStatus | None = None
    coordinator_organization_id: uuid.UUID | None = None


class ClusterRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    territory_codes: list[str]
    target_group: str | None
    sector_focus: list[str]
    status: ClusterStatus
    coordinator_organization_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


class ClusterPage(BaseModel):
    items: list[ClusterRead]
    next_cursor: str | None
