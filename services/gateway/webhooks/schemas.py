"""Request and response bodies of ``/api/v1/webhooks``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.gateway.webhooks import signing
from services.gateway.webhooks.catalogue import WebhookEventType
from services.gateway.webhooks.domain import DeliveryStatus, SubscriptionStatus, WebhookPayload

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
EventTypes = Annotated[
    list[WebhookEventType], Field(min_length=1, max_length=len(WebhookEventType))
]
_EXAMPLE: dict[str, Any] = {
    "url": "https://partner.example.org/ponte/webhooks",
    "event_types": ["beneficiary.registered", "referral.status_changed"],
    "description": "Case system of the Caritas office",
}


def _unique(types: list[WebhookEventType] | None) -> list[WebhookEventType] | None:
    return sorted(set(types)) if types is not None else None


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    url: Url = Field(
        description="https URL that receives the deliveries (POST). Hosts resolving to private, "
        "loopback or link-local addresses are refused."
    )
    event_types: EventTypes = Field(description="see GET /api/v1/webhooks/event-types")
    payload: WebhookPayload = Field(
        default=WebhookPayload.IDS,
        description="`ids` (the default): the event's ids and states, read the rest through "
        "the API. `resource`: also `data.resource`, the resource the event is about as your "
        "organisation may read it when the delivery is attempted (null when it may not, e.g. "
        "after a withdrawn consent); GET /api/v1/webhooks/event-types says which events carry "
        "one",
    )
    description: Description | None = None
    secret: str | None = Field(
        default=None,
        description="`whsec_` + base64 of 24-64 random bytes; generated when omitted. Shown once.",
    )

    _types = field_validator("event_types")(_unique)

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                signing.secret_bytes(value)
            except signing.InvalidSecret as error:
                raise ValueError(str(error)) from None
        return value


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"enabled": True}, {"event_types": ["pathway.closed"]}]},
    )

    url: Url | None = None
    event_types: EventTypes | None = None
    payload: WebhookPayload | None = Field(default=None, description="ids or resource")
    description: Description | None = None
    enabled: bool | None = Field(
        default=None,
        description="false disables the subscription; true enables it again (its pending "
        "deliveries resume at once)",
    )

    _types = field_validator("event_types")(_unique)


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organization_id: uuid.UUID
    url: str
    event_types: list[str]
    payload: WebhookPayload
    description: str | None
    status: SubscriptionStatus
    disabled_at: datetime | None
    disabled_reason: str | None = Field(description="why it was disabled")
    failing_since: datetime | None = Field(
        description="deliveries have failed without a success since then"
    )
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Signs every delivery. Shown once: store it.")


class SecretRotated(BaseModel):
    secret: str = Field(description="The new secret. Shown once: store it.")
    previous_secret_expires_at: datetime = Field(
        description="until then deliveries carry a signature with the previous secret too"
    )


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    event_id: uuid.UUID = Field(description="the `webhook-id` header: the same at every attempt")
    event_type: str
    occurred_at: datetime
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempted_at: datetime
    status_code: int | None
    error: str | None = Field(description="an HTTP status or an error class; never a body")
    duration_ms: int


class DeliveryDetail(DeliveryRead):
    body: dict[str, Any] = Field(description="what is (re)sent: `type`, `timestamp`, `data`")
    attempt_log: list[AttemptRead]


class EventTypeRead(BaseModel):
    type: str
    description: str
    audience: str = Field(description="which organisations receive it")
    example: dict[str, Any] = Field(description="an example of the delivered `data`")
    resource: str | None = Field(
        default=None,
        description="the resource a `payload: resource` subscription receives in "
        "`data.resource` (its path); null: none (the event's ids say all there is)",
    )
