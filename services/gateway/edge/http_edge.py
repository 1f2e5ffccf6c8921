"""What the gateway adds to every answer for clients on the public internet, mobile apps and
browsers first: gzip, CORS for configured origins, and the request-rate limits.

The layers, outermost first, all pure ASGI and all in front of the proxy, so that proxied answers
get the same treatment as the gateway's own:

1. CORS (only when ``PONTE_GATEWAY_CORS_ORIGINS`` names origins): answers preflights before they
   count against a limit, and puts its headers on every answer, 429 included, so that a browser
   app can read ``Retry-After``.
2. The rate limits (:mod:`services.gateway.edge.ratelimit`).
3. gzip, for clients that accept it, of bodies of 1 KiB or more; a body that already has a
   ``Content-Encoding`` (a service that compressed it) passes as it is. Clients that do not
   accept gzip skip this layer altogether. ETags are left as they are: they name the resource's
   version, not the bytes (``shared.etags``).

``304 Not Modified`` is answered further out, by the request middleware every service runs
(``shared.middleware``): a service answers it for its own resources, and the gateway for any
answer, proxied or its own, that carries the ``ETag`` the client already holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.edge.ratelimit import RateLimiter, RatePolicy, RateStore, proxy_trust
from services.gateway.settings import GatewaySettings
from shared.auth.verifier import TokenVerifier

GZIP_MINIMUM_BYTES = 1024
# zlib's default: level 9 costs about twice the CPU for a few percent on JSON.
GZIP_LEVEL = 6

CORS_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS")
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "Accept-Language",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "X-Request-ID",
)
CORS_EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "Content-Language",
    "WWW-Authenticate",
    "Idempotent-Replayed",
)
CORS_MAX_AGE_SECONDS = 600


def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether an ``Accept-Encoding`` value names gzip without refusing it (``q=0``)."""
    for item in accept_encoding.lower().split(b","):
        coding, _, parameters = item.partition(b";")
        if coding.strip() in (b"gzip", b"x-gzip"):
            return not _refused(parameters)
    return False


def _refused(parameters: bytes) -> bool:
    name, _, value = parameters.partition(b"=")
    if name.strip() != b"q":
        return False
    try:
        return float(value) == 0
    except ValueError:
        return False


class Compression:
    """Starlette's gzip middleware, entered only by requests that accept gzip: the others (most
    service-to-service and benchmark traffic) pay one header scan and nothing else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"accept-encoding":
                    if accepts_gzip(value):
                        await self.gzip(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)


def cors(app: ASGIApp, origins: Sequence[str]) -> ASGIApp:
    """CORS for the configured origins only; bearer tokens, not cookies, so no credentials."""
    return CORSMiddleware(
        app,
        allow_origins=list(origins),
        allow_methods=CORS_METHODS,
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=CORS_MAX_AGE_SECONDS,
    )


def edge(
    app: ASGIApp,
    *,
    settings: GatewaySettings,
    store: RateStore,
    verifier: Callable[[], TokenVerifier],
) -> ASGIApp:
    """``app`` (the proxy in front of FastAPI) inside gzip, the rate limits and CORS."""
    limited = RateLimiter(
        Compression(app),
        store=store,
        policy=RatePolicy.from_settings(settings),
        verifier=verifier,
        proxies=proxy_trust(settings),
    )
    return cors(limited, settings.cors_origins) if settings.cors_origins else limited
