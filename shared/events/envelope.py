"""What travels between services: one envelope per event, batches of them per delivery."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH = 1000


class EventEnvelope(BaseModel):
    """One event as delivered. ``id`` is the idempotency key: a consumer applies an id once."""

    # Unknown envelope fields are ignored, not refused: producers and consumers are upgraded one
    # at a time, and a newer producer must not stall an older consumer.
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: uuid.UUID
    type: str = Field(min_length=1, max_length=100, examples=["beneficiary.registered"])
    source: str = Field(min_length=1, max_length=50, description="the emitting service")
    occurred_at: datetime
    version: int = Field(default=1, ge=1, description="version of the payload's contract")
    payload: dict[str, Any]


class EventBatch(BaseModel):
    """The body of ``POST /internal/events``: events in delivery order."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventEnvelope] = Field(max_length=MAX_BATCH)
