"""The gateway's two doors: the public port serves the API; the internal port, which only the
cluster reaches, serves the services' internal endpoints and the metrics.

One process and one application behind both (same state: the webhook queue, the organisations
that intake asks about, the rate limits, the metrics of both doors): a request's door is the local
port it arrived on. ``/internal/*`` answers the services' deliveries and questions (authenticated
by the internal token, outside the rate limits, so they never queue behind a busy caller), and
``/metrics`` names every route with counts; neither is for the Internet, so the public door
answers 404 to them as to any unknown path, and the internal door answers nothing but them and
the health probes.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.errors import problem_response

HEALTH_PATHS = frozenset({"/healthz", "/readyz"})


def internal_only(path: str) -> bool:
    """Served only on the internal port."""
    return path == "/metrics" or path == "/internal" or path.startswith("/internal/")


class Surfaces:
    """Routes each request by the door it came through: ``internal_port`` or any other."""

    def __init__(self, app: ASGIApp, *, internal_port: int) -> None:
        self.app = app
        self.internal_port = internal_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allows(scope):
            await self.app(scope, receive, send)
            return
        # The same answer as an unknown path (shared/errors.py's handler of FastAPI's 404), inside
        # the request middleware so it has its request id: nothing tells what the other door holds.
        response = problem_response(404, instance=scope["path"])
        await response(scope, receive, send)

    def allows(self, scope: Scope) -> bool:
        path: str = scope["path"]
        server = scope.get("server")
        if server is not None and server[1] == self.internal_port:
            return internal_only(path) or path in HEALTH_PATHS
        return not internal_only(path)
