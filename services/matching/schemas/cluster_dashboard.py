"""The body of ``/api/v1/clusters/{id}/dashboard``: aggregates only. A count of people or
referrals is an integer of 0 or at least 5, or "<5"."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel

Count = int | str


class PledgeRead(BaseModel):
    id: uuid.UUID
    kind: str
    offer_type: str | None
    description: str | None
    period_start: date
    period_end: date
    pledged: int
    delivered: int | None
    ratio: float | None


class MemberFigures(BaseModel):
    organization_id: uuid.UUID
    roles: list[str]
    current: bool
    commitments: list[PledgeRead]
    people_reached: Count
    outcomes: dict[str, dict[str, Count]]


class NetworkEdge(BaseModel):
    """Referrals from one organisation to another, per target type: an offer's ``offer_type``
    (``service_point_kind`` null), or for referrals to service points ``offer_type`` null and the
    point's ``service_point_kind`` (legal_aid, ...)."""

    from_organization_id: uuid.UUID
    to_organization_id: uuid.UUID
    between_members: bool
    offer_type: str | None
    service_point_kind: str | None
    referrals: Count


class TerritoryFigures(BaseModel):
    territory_code: str
    people: Count
    enrolled: Count
    completed: Count
    dropped: Count


class Suppression(BaseModel):
    small_cell: int
    shown_as: str


class DashboardRead(BaseModel):
    cluster_id: uuid.UUID
    name: str
    status: str
    territory_codes: list[str]
    computed_at: datetime
    members_by_role: dict[str, int]
    members: list[MemberFigures]
    network: list[NetworkEdge]
    territories: list[TerritoryFigures]
    suppression: Suppression
