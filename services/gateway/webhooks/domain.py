"""The states of a webhook subscription and of a delivery (the enums the tables, the queue and
the API share)."""

from __future__ import annotations

from enum import StrEnum


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class WebhookPayload(StrEnum):
    IDS = "ids"  # the event's ids and states: read the rest through the API
    RESOURCE = "resource"  # also the resource as the subscriber may read it at delivery


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"  # the endpoint answered 2xx
    FAILED = "failed"  # given up after retrying for the disabling period; may be redelivered
