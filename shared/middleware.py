"""The pure-ASGI middleware every service and the gateway run: request id, access log, metrics,
``X-Content-Type-Options: nosniff`` on every answer and ``Cache-Control: no-store`` on every answer
that does not choose its own caching, body-size limit, 304 Not Modified for a GET whose
``If-None-Match`` names the answer's ``ETag``, a 400 for a request that repeats a single-valued
header (``Authorization``, ``Idempotency-Key``: the gateway and a service must never read
different ones), and the last line of defence that turns a crash into a bare problem+json 500.

Pure ASGI rather than ``BaseHTTPMiddleware`` because it sits on every request and must not add a
task or buffer a streamed body.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth.headers import AUTHORIZATION
from shared.errors import PROBLEM_CONTENT_TYPE, BadRequest, InputRefused, problem_body
from shared.etags import matches_if_none_match
from shared.logging import access_log, bind_request_id, get_logger
from shared.metrics import HttpMetrics
from shared.text_guard import body_guard, check_target, refused
from shared.uploads import takes_a_file

REQUEST_ID_HEADER = b"x-request-id"
_CONDITIONAL_METHODS = frozenset({"GET", "HEAD"})
# A 304 carries the headers a 200 would have, minus those describing the body it does not have
# (RFC 9110 15.4.5).
_NOT_MODIFIED_DROPPED = frozenset(
    {b"content-length", b"content-type", b"content-encoding", b"content-language", b"content-range"}
)
_log = get_logger("ponte.http")
# Headers that carry one value (a credential, a key, the target host; RFC 9110 gives them no list
# syntax): two on one request are ambiguous, each reader may take another one, so the request is
# refused. Two Host headers are a 400 by RFC 9112 3.2; uvicorn's parser refuses two
# Content-Length or Transfer-Encoding headers itself.
SINGLE_VALUED = frozenset({AUTHORIZATION, b"idempotency-key", b"host"})
# Answers that hold no personal data and may be cached when their handler does not say otherwise;
# every other answer without its own Cache-Control gets ``no-store`` (it may name a person, and a
# shared or browser cache must not keep it).
CACHEABLE_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect"})
_CACHE_CONTROL = b"cache-control"
_NOSNIFF = (b"x-content-type-options", b"nosniff")


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: inside FastAPI its HTTP-error handler answers the 413 problem;
    on paths outside FastAPI (the gateway's proxy) this middleware does."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body exceeds {limit} bytes.")


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: HttpMetrics,
        max_body_bytes: int,
        max_upload_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes or max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming_id: str | None = None
        declared_length: int | None = None
        if_none_match: bytes | None = None
        seen: tuple[bytes, ...] = ()
        repeated: bytes | None = None
        content_type: bytes | None = None
        nul_in_header = False
        for name, value in scope["headers"]:
            if b"\x00" in value:  # a header value can reach SQL (Idempotency-Key)
                nul_in_header = True
            if name == REQUEST_ID_HEADER:
                incoming_id = value.decode("latin-1")
            elif name == b"content-length" and value.isdigit():
                declared_length = int(value)
            elif name == b"content-type":
                content_type = value
            elif name == b"if-none-match":  # a list header: several lines are one list
                if_none_match = value if if_none_match is None else if_none_match + b", " + value
            elif name in SINGLE_VALUED:
                if name in seen:
                    repeated = name
                seen = (*seen, name)
        request_id = bind_request_id(incoming_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False
        encoded_id = request_id.encode("ascii")
        cacheable = scope["path"] in CACHEABLE_PATHS

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = _with_default_headers(
                    message.get("headers", ()), encoded_id, cacheable=cacheable
                )
            await send(message)

        app_send: Send = send_with_id
        if if_none_match is not None and scope["method"] in _CONDITIONAL_METHODS:
            app_send = _not_modified_when_matching(if_none_match, send_with_id)

        received = 0
        guard = body_guard(content_type)
        # A file upload has its own, larger limit; every other request keeps the small one.
        limit = (
            self.max_upload_bytes
            if takes_a_file(scope["method"], scope["path"])
            else self.max_body_bytes
        )

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise BodyTooLarge(limit)
                if guard is not None:
                    guard.feed(chunk)
            return message

        try:
            if repeated is not None:
                status = 400
                await _refuse_repeated(send_with_id, request_id, repeated)
                return
            if declared_length is not None and declared_length > limit:
                raise BodyTooLarge(limit)
            if nul_in_header:
                raise refused("header")
            check_target(scope["path"], scope.get("query_string", b""))
            await self.app(scope, limited_receive, app_send)
        except BodyTooLarge as error:
            if not response_started:
                status = 413
                await send_problem(send_with_id, 413, request_id, detail=str(error.detail))
        except InputRefused as error:  # outside FastAPI: the gateway's proxy, or before the app
            if not response_started:
                status = error.status_code
                await send_problem(
                    send_with_id,
                    error.status_code,
                    request_id,
                    slug=error.slug,
                    title=error.title,
                    detail=str(error.detail),
                    errors=error.errors,
                )
        except Exception:
            _log.exception("unhandled_error", method=scope["method"], route=_route(scope))
            if not response_started:
                status = 500
                await send_problem(send_with_id, 500, request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route(scope)
            self.metrics.observe(scope["method"], route, status, elapsed)
            access_log(scope["method"], route, status, round(elapsed * 1000, 2))


def _with_default_headers(
    headers: Any, request_id: bytes, *, cacheable: bool
) -> list[tuple[bytes, bytes]]:
    """The answer's headers plus the request id, ``nosniff`` and, unless the handler chose a
    caching policy or the path is public documentation, ``Cache-Control: no-store``. Header names
    from the proxy's upstream answers are lower case too (h11/httpx), so presence checks hold."""
    present = {name.lower() for name, _ in headers}
    extra = [(REQUEST_ID_HEADER, request_id)]
    if _NOSNIFF[0] not in present:
        extra.append(_NOSNIFF)
    if _CACHE_CONTROL not in present and not cacheable:
        extra.append((_CACHE_CONTROL, b"no-store"))
    return [*headers, *extra]


async def _refuse_repeated(send: Send, request_id: str, header: bytes) -> None:
    name = "-".join(part.capitalize() for part in header.decode("latin-1").split("-"))
    await send_problem(
        send,
        400,
        request_id,
        slug=BadRequest.slug,
        title=BadRequest.title,
        detail=f"Send one {name} header, not several.",
    )


def _not_modified_when_matching(if_none_match: bytes, send: Send) -> Send:
    """``send`` turning a 200 whose ``ETag`` the client already holds into a bodiless 304.

    Generic, so every service's single resources and the gateway's proxied ones revalidate
    alike; the handler still runs (access checks and the access log included), the body just
    does not travel.
    """
    not_modified = False

    async def conditional_send(message: Message) -> None:
        nonlocal not_modified
        if message["type"] == "http.response.start":
            headers = message.get("headers", ())
            if message["status"] == 200:
                current = next((value for name, value in headers if name == b"etag"), None)
                not_modified = current is not None and matches_if_none_match(if_none_match, current)
            if not_modified:
                message = {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [
                        (name, value)
                        for name, value in headers
                        if name not in _NOT_MODIFIED_DROPPED
                    ],
                }
        elif not_modified:
            if message["type"] != "http.response.body" or message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return conditional_send


def _route(scope: Scope) -> str:
    """The route template (``/api/v1/users/{user_id}``), never the concrete path or query."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    label = scope.get("ponte.route_label")
    return label if isinstance(label, str) else "unmatched"


async def send_problem(
    send: Send,
    status: int,
    request_id: str | None,
    *,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
    **fields: Any,
) -> None:
    """Answer with a problem+json straight from ASGI (outside FastAPI's handlers)."""
    body = json.dumps(problem_body(status, request_id=request_id, **fields)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *(extra_headers or ()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
