"""What the gateway answers the services over its internal API (version 1)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict


class EmergencyEntitlement(BaseModel):
    """``GET /internal/organizations/{id}/emergency-entitlement``: the emergency reasons the
    platform admin entitled the organisation to invoke (empty: none). Intake asks at every
    break-the-glass request, so a withdrawn entitlement takes effect at once."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    organization_id: uuid.UUID
    reason_codes: list[str]


class OrganizationRef(BaseModel):
    """``GET /internal/organizations/{id}``: the organisation exists (404 when it does not).
    Matching asks before a cluster names an organisation (coordinator, member, commitment)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    organization_id: uuid.UUID
    name: str


class Member(BaseModel):
    """``GET /internal/organizations/{id}/members/{user_id}``: a user of the organisation (404
    when the organisation has no such user). Pathways asks before a task is given to someone."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    user_id: uuid.UUID
    organization_id: uuid.UUID
    roles: list[str]
    active: bool
