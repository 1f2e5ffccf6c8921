"""The delivery queue's terms: the policy (time-outs, retries with back-off and jitter, when a
subscription is disabled), a claimed delivery and an attempt's outcome. The statements over the
queue are in ``webhooks/db/queue.py``; the worker (``delivery``) drives them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.gateway.webhooks import ssrf

QUEUED_KEY = "ponte.webhooks_queued"  # session.info: this transaction queued deliveries


@dataclass(frozen=True)
class DeliveryPolicy:
    timeout_seconds: float = 10.0
    retry_base_seconds: float = 5.0
    retry_cap_seconds: float = 3600.0
    disable_after: timedelta = timedelta(days=3)
    concurrency: int = 16
    per_subscription: int = 4
    poll_seconds: float = 1.0
    log_retention: timedelta = timedelta(days=30)
    addresses: ssrf.AddressPolicy = field(default_factory=ssrf.AddressPolicy)

    def retry_delay(self, attempts: int) -> float:
        ceiling = min(self.retry_cap_seconds, self.retry_base_seconds * 2 ** min(attempts - 1, 30))
        # Jitter spreads the retries of many deliveries to one recovering endpoint; not a secret.
        return random.uniform(self.retry_base_seconds, max(ceiling, self.retry_base_seconds))  # noqa: S311


@dataclass(frozen=True)
class Claim:
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    attempt: int
    event_id: uuid.UUID
    event_type: str
    occurred_at: datetime
    data: dict[str, Any]
    queued_at: datetime
    url: str
    secrets: tuple[str, ...]
    organization_id: uuid.UUID | None = None  # the subscriber
    payload: str = "ids"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
