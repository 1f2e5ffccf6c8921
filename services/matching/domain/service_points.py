"""A service point's closed vocabularies (Open Referral HSDS: a service at a location) and the
pure rules on its opening hours."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Any

from services.matching.domain.clusters import published_to


class ServicePointKind(StrEnum):
    PUBLIC_EMPLOYMENT_CENTRE = "public_employment_centre"
    JOB_DESK = "job_desk"
    LEGAL_AID = "legal_aid"
    LOW_THRESHOLD_HELP_DESK = "low_threshold_help_desk"
    HEALTH = "health"
    HOUSING = "housing"
    LANGUAGE_SCHOOL = "language_school"
    TRAINING_CENTRE = "training_centre"
    SOCIAL_SERVICES = "social_services"
    CHILDCARE = "childcare"
    DIGITAL_HELP = "digital_help"
    MIGRANT_ASSOCIATION_DESK = "migrant_association_desk"
    OTHER = "other"


class Tier(StrEnum):
    """The gradual path: a low-threshold first contact, then intermediate, then structured."""

    LOW_THRESHOLD = "low_threshold"
    INTERMEDIATE = "intermediate"
    STRUCTURED = "structured"


class AccessMode(StrEnum):
    DROP_IN = "drop_in"
    APPOINTMENT = "appointment"
    BOTH = "both"


class ServicePointStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


def overlapping_hours(hours: list[dict[str, Any]]) -> list[int]:
    """The weekdays whose opening spans overlap (``opens``/``closes`` as "HH:MM": they compare
    as text)."""
    overlaps = set()
    spans = sorted((h["weekday"], h["opens"], h["closes"]) for h in hours)
    for (day, _, closes), (next_day, opens, _) in pairwise(spans):
        if day == next_day and opens < closes:
            overlaps.add(day)
    return sorted(overlaps)


@dataclass(frozen=True)
class Audience:
    """Who reads the service points: an organisation and the clusters it is in (``everything``:
    the platform admin, who sees every point)."""

    organization_id: uuid.UUID | None
    cluster_ids: frozenset[uuid.UUID]
    everything: bool = False

    def sees(self, point_cluster_ids: Collection[uuid.UUID], owner: uuid.UUID) -> bool:
        return self.everything or published_to(
            point_cluster_ids, owner, self.organization_id, self.cluster_ids
        )
