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


class OperatorRef(BaseModel):
    """``GET /internal/organizations/{id}/operators/{user_id}``: the user is an active operator
    or org admin of the organisation (404 when not). Pathways asks before an appointment names
    its operator."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    organization_id: uuid.UUID
    user_id: uuid.UUID
