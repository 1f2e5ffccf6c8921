"""The gateway's hot path: forward ``/api/v1/*`` requests to the service that owns them.

A pure-ASGI middleware in front of the gateway's own routes: requests for a service skip FastAPI's
routing and dependency machinery entirely. Bodies stream both ways, one pooled client serves every
service, and failures become problems: a service that is down answers 503, one that is too slow
504; the other services are unaffected. Bad tokens stop here (the services check again).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send
from yarl import URL

from services.gateway.edge.forwarding import (
    ClientDisconnected,
    StreamingRequestBody,
    filter_response_headers,
    forward_request_headers,
    read_request_body,
    request_target,
    stream_response,
)
from services.gateway.edge.routing import beneficiary_may, service_for
from services.gateway.edge.transport import (
    AiohttpTransport,
    GatewayClient,
    client_timeout,
    iter_body,
)
from shared.auth import Role
from shared.auth.headers import bearer
from shared.auth.tokens import TokenError
from shared.auth.verifier import TokenVerifier
from shared.logging import get_logger
from shared.middleware import send_problem

_log = get_logger("ponte.gateway.proxy")
_INVALID_TOKEN = [(b"www-authenticate", b'Bearer error="invalid_token"')]


class Upstreams:
    """The services' base URLs and the pooled client, opened and closed by the app's lifespan.

    One connection pool: the gateway's other calls (status, OpenAPI) use it through the httpx
    API; the proxy calls the transport's lower level directly, skipping httpx's request and
    response objects (measured on the proxied trivial call: ~0.30 -> ~0.35 of the hello-world's
    throughput), which a proxy that forwards raw headers and bytes does not need.
    """

    def __init__(self, base_urls: dict[str, str], timeout: httpx.Timeout) -> None:
        self.base_urls = base_urls
        self.hosts = {name: httpx.URL(url).netloc for name, url in base_urls.items()}
        self.timeout = client_timeout(timeout.as_dict())
        self._client: GatewayClient | None = None
        self._transport: AiohttpTransport | None = None

    def open(self, transport: AiohttpTransport, client: GatewayClient) -> None:
        self._transport, self._client = transport, client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client = self._transport = None

    @property
    def client(self) -> GatewayClient:
        if self._client is None:
            raise RuntimeError("the gateway has not started")
        return self._client

    @property
    def transport(self) -> AiohttpTransport:
        if self._transport is None:
            raise RuntimeError("the gateway has not started")
        return self._transport


class TokenVerifierRef:
    """The verifier exists only once the lifespan has opened the database; the middleware is built
    before that, so it holds this reference."""

    def __init__(self) -> None:
        self._verifier: TokenVerifier | None = None

    def set(self, verifier: TokenVerifier) -> None:
        self._verifier = verifier

    def get(self) -> TokenVerifier:
        if self._verifier is None:
            raise RuntimeError("the gateway has not started")
        return self._verifier


@lru_cache(maxsize=2048)
def _url(target: str) -> URL:
    """Parsing validates and re-quotes every part (~10 us); targets repeat a lot."""
    return URL(target, encoded=True)


class UpstreamProxy:
    def __init__(self, app: ASGIApp, *, upstreams: Upstreams, verifier: TokenVerifierRef) -> None:
        self.app = app
        self.upstreams = upstreams
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        service = service_for(scope["path"]) if scope["type"] == "http" else None
        if service is None:
            await self.app(scope, receive, send)
            return
        scope["ponte.route_label"] = f"proxy:{service}"
        request_id: str = scope["state"]["request_id"]
        upstreams = self.upstreams
        forwarded = forward_request_headers(
            scope, upstreams.hosts[service], request_id.encode("ascii")
        )
        if forwarded.authorization is not None and not await self._token_acceptable(
            forwarded.authorization, send, request_id, scope
        ):
            return
        try:
            body = await read_request_body(receive)
        except ClientDisconnected:
            return
        headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in forwarded.headers
        ]
        if isinstance(body, StreamingRequestBody) and forwarded.content_length is not None:
            headers.append(("content-length", forwarded.content_length.decode("latin-1")))
        try:
            response = await upstreams.transport.open(
                scope["method"],
                _url(upstreams.base_urls[service] + request_target(scope)),
                headers=headers,
                data=body or None,
                timeouts=upstreams.timeout,
            )
        except ClientDisconnected:
            return
        except httpx.TransportError as error:
            failure = body.failure if isinstance(body, StreamingRequestBody) else None
            if isinstance(failure, ClientDisconnected):
                return
            if failure is not None:
                # The client's body broke the read (over the size limit: a 413 from the request
                # middleware), not the service.
                raise failure from error
            status = _status_for(error)
            _log.warning("upstream_failed", upstream=service, error=type(error).__name__)
            await send_problem(send, status, request_id, **_unreachable(service, status))
            return

        try:
            response_headers, content_length = filter_response_headers(response.raw_headers)
            await stream_response(
                send,
                receive,
                response.status,
                response_headers,
                content_length,
                iter_body(response),
                can_watch_disconnect=not isinstance(body, StreamingRequestBody) or body.complete,
            )
        except httpx.TransportError as error:
            # The status line is out: all we can do is cut the response short.
            _log.warning(
                "upstream_broke_mid_response", upstream=service, error=type(error).__name__
            )
        finally:
            response.release()

    async def _token_acceptable(
        self, authorization: bytes, send: Send, request_id: str, scope: Scope
    ) -> bool:
        token = bearer(authorization)
        if token is None:
            return True  # not a bearer token: the service answers with its own problem
        try:
            principal = await self.verifier.get().verify(token)
        except TokenError:
            await send_problem(
                send,
                401,
                request_id,
                slug="unauthorized",
                title="Authentication required",
                detail="The token is not valid.",
                extra_headers=_INVALID_TOKEN,
            )
            return False
        if principal.roles == {Role.BENEFICIARY} and not beneficiary_may(
            scope["method"], scope["path"]
        ):
            await send_problem(
                send, 404, request_id, slug="not-found", title="Not found", detail="No such thing."
            )
            return False
        return True


def _status_for(error: httpx.TransportError) -> int:
    """Down (refused, reset, cannot connect in time) is 503; slow (no answer in time) is 504."""
    if isinstance(error, httpx.TimeoutException) and not isinstance(error, httpx.ConnectTimeout):
        return 504
    return 503


def _unreachable(service: str, status: int) -> dict[str, Any]:
    if status == 504:
        return {
            "slug": "gateway-timeout",
            "title": "A service did not answer in time",
            "detail": f"The {service} service did not answer in time; try again shortly.",
            "service": service,
        }
    return {
        "slug": "service-unavailable",
        "title": "A service is unavailable",
        "detail": f"The {service} service is unavailable; other parts of the API still work.",
        "service": service,
    }
