"""Prometheus metrics: request counts and latencies per route template (bounded cardinality)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from starlette.requests import Request
from starlette.responses import Response

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

    async def endpoint(self, _request: Request) -> Response:
        return Response(_generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
