"""Bodies of ``/api/v1/clusters/{id}/members`` and ``/{organization_id}``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.matching.domain.cluster_access import MemberRole
from shared.dates import IsoDate

Roles = Annotated[list[MemberRole], Field(min_length=1, max_length=len(MemberRole))]


def _distinct(roles: list[MemberRole] | None) -> None:
    if roles is not None and len(set(roles)) != len(roles):
        raise ValueError("a role is named twice")


class MemberCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organization_id": "5d1e3c2a-7f4b-4e8a-9c6d-1b2a3c4d5e6f",
                    "roles": ["training_provider", "legal_support"],
                    "joined_on": "2026-01-15",
                }
            ]
        },
    )

    organization_id: uuid.UUID
    roles: Roles
    joined_on: IsoDate | None = Field(default=None, description="default: today")

    @model_validator(mode="after")
    def _roles_once(self) -> MemberCreate:
        _distinct(self.roles)
        return self


class MemberUpdate(BaseModel):
    """Fields present replace the stored ones; ``left_on`` null: a former member rejoins."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"roles": ["host_company"]}]}
    )

    roles: Roles | None = None
    joined_on: IsoDate | None = None
    left_on: IsoDate | None = None

    @model_validator(mode="after")
    def _roles_once(self) -> MemberUpdate:
        _distinct(self.roles)
        return self


class MemberRead(BaseModel):
    cluster_id: uuid.UUID
    organization_id: uuid.UUID
    roles: list[MemberRole]
    joined_on: date
    left_on: date | None
    current: bool
    version: int
    created_at: datetime
    updated_at: datetime


class MemberPage(BaseModel):
    items: list[MemberRead]
    next_cursor: str | None
