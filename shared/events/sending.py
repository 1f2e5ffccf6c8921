"""How a batch leaves the service, kept behind a small interface: HTTP between the services now
(``HttpSender``); a broker publisher could take its place without touching the relay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from shared import json_codec
from shared.events.envelope import EventEnvelope


@dataclass(frozen=True)
class Subscriber:
    """A consumer of this service's events: where they go and which types it wants."""

    name: str
    url: str  # the consumer's POST /internal/events
    types: frozenset[str] | None = None  # None: every type

    def wants(self, event_type: str) -> bool:
        return self.types is None or event_type in self.types


class DeliveryFailed(Exception):
    """A delivery that did not succeed. The reason is stored and logged: a class name or an HTTP
    status, never a payload or a response body."""


class EventSender(Protocol):
    """How a batch leaves the service (HTTP now; a broker publisher could take its place).
    Returns only when the subscriber has the events; raises :class:`DeliveryFailed` otherwise."""

    async def send(self, subscriber: Subscriber, events: Sequence[EventEnvelope]) -> None: ...


class HttpSender:
    """POSTs ``{"events": [...]}`` to the subscriber with the services' internal token."""

    def __init__(
        self, client: httpx.AsyncClient, internal_token: str, *, timeout_seconds: float = 10.0
    ) -> None:
        self._client = client
        self._token = internal_token
        self._timeout = httpx.Timeout(timeout_seconds, connect=min(2.0, timeout_seconds))

    async def send(self, subscriber: Subscriber, events: Sequence[EventEnvelope]) -> None:
        if not self._token:
            raise DeliveryFailed("no internal token configured")
        try:
            response = await self._client.post(
                subscriber.url,
                content=json_codec.dumps(
                    {"events": [envelope.model_dump(mode="json") for envelope in events]}
                ),
                headers={
                    "Authorization": f"Bearer {self._token}",
                    "Content-Type": "application/json",
                },
                timeout=self._timeout,
            )
        except httpx.HTTPError as error:
            raise DeliveryFailed(type(error).__name__) from None
        if not response.is_success:
            raise DeliveryFailed(f"HTTP {response.status_code}")
