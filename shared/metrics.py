"""Prometheus metrics: request counts and latencies per route template (bounded cardinality)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from starlette.requests import Request
from starlette.responses import Response

_OUTBOX_GAUGES = {
    "ponte_outbox_pending": "Events not yet delivered to the subscriber (capped count)",
    "ponte_outbox_lag_seconds": "Age of the oldest event not yet delivered (0: none)",
    "ponte_outbox_failures": "Failed delivery attempts in a row",
}
_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    """One registry per app so that several apps in one test process do not collide."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ponte_http_requests",
            "HTTP requests answered",
            ("service", "method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "ponte_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ("service", "method", "route"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.service = service
        # labels() hashes, locks and validates on every call; the label sets are few and fixed.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(self.service, method, route, str(status)),
                self.latency.labels(self.service, method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    async def endpoint(self, request: Request) -> Response:
        text = _generate_latest(self.registry) + await self._outbox(request)
        return Response(text, media_type=CONTENT_TYPE_LATEST)

    async def _outbox(self, request: Request) -> bytes:
        """The relay's view of each subscriber, read at scrape time: a stream stuck behind an
        event its consumer refuses keeps every later event waiting, so alert on these."""
        relay = getattr(request.app.state, "relay", None)
        if relay is None:
            return b""
        try:
            statuses = await relay.status()
        except Exception as error:  # the database is away: the request metrics still answer
            from shared.logging import get_logger

            get_logger("ponte.http").warning(
                "outbox_status_unavailable", error=type(error).__name__
            )
            return b""
        now = datetime.now(UTC)
        values = {
            status.subscriber: {
                "ponte_outbox_pending": float(status.pending),
                "ponte_outbox_lag_seconds": (now - status.oldest_pending_at).total_seconds()
                if status.oldest_pending_at is not None
                else 0.0,
                "ponte_outbox_failures": float(status.failures),
            }
            for status in statuses
        }
        lines: list[str] = []
        for name, help_text in _OUTBOX_GAUGES.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
            lines += [
                f'{name}{{service="{self.service}",subscriber="{subscriber}"}} {gauges[name]}'
                for subscriber, gauges in values.items()
            ]
        return ("\n".join(lines) + "\n").encode()
