"""The territorial analysis's JSON form (counts of people are a number or "<5")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Count = int | str


class NeedRow(BaseModel):
    need: str
    people: Count = Field(description="people living here with this need assessed")
    service_points: int = Field(description="active service points within reach answering it")
    service_points_by_tier: dict[str, int]
    offers: int = Field(description="open offers within reach whose type answers it")
    seats: int
    gap: bool = Field(description="people have the need and no service point is within reach")


class Gap(BaseModel):
    need: str
    people: Count
    offers: int


class SkillGroup(BaseModel):
    group: str | None = Field(description="the ESCO skill group's URI (none: outside ESCO)")
    code: str | None
    label: str | None
    offers_demanding: int
    people_holding: Count


class TerritorialAnalysis(BaseModel):
    territory: str
    period: dict[str, str]
    cluster_id: str | None
    organizations: int | str = Field(description='"all", or how many organisations are counted')
    within_reach: dict[str, Any] = Field(description="the NUTS 3 region and how many units")
    people: Count
    needs: list[NeedRow]
    gaps: list[Gap] = Field(description="need domains with people and no service within reach")
    offers_by_type: dict[str, dict[str, Any]]
    skills: list[SkillGroup]
    tiers: dict[str, Any] = Field(description="referrals and people by tier, and their paths")
    profile: list[dict[str, Any]] = Field(description="the latest value of each variable")
    computed_at: str
