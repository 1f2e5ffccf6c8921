"""HTTP forwarding mechanics of the gateway's proxy: which headers pass, how bodies are framed
and streamed both ways, and stopping the upstream read when the client goes away.

Chosen by measurement (see ``transport``): a request body that arrived in one ASGI message is sent
as bytes with a Content-Length, a response that arrives in one chunk leaves in one ASGI message,
and only long responses pay for a task that watches for the client's disconnect.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import Final
from urllib.parse import quote_from_bytes

import httpx
from starlette.types import Message, Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]


class ClientDisconnected(Exception):
    """The downstream client went away while its request body was being read."""


HOP_BY_HOP: Final = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Request headers the proxy drops or re-creates itself.
_REQUEST_SPECIAL: Final = HOP_BY_HOP | {
    b"host",
    b"expect",
    b"content-length",
    b"x-forwarded-for",
    b"x-forwarded-proto",
    b"x-forwarded-host",
    b"x-request-id",
}
# The gateway's own server and middleware set these on every response; the service's copies
# would duplicate them.
_RESPONSE_DROPPED: Final = HOP_BY_HOP | {b"x-request-id", b"date", b"server"}
_SAFE_PATH_CHARS: Final = "/:@!$&'()*+,;=-._~%"


def _empty_body() -> Message:
    """A new message each time: middleware may change a message it is handed (gzip replaces the
    body with the end of its stream), and a shared one would carry that into later answers."""
    return {"type": "http.response.body", "body": b"", "more_body": False}


def _connection_tokens(value: bytes) -> frozenset[bytes]:
    return frozenset(t.strip().lower() for t in value.split(b",") if t.strip())


class ForwardedHeaders:
    """Result of :func:`forward_request_headers`."""

    __slots__ = ("authorization", "content_length", "headers")

    def __init__(
        self, headers: RawHeaders, content_length: bytes | None, authorization: bytes | None
    ) -> None:
        self.headers = headers
        self.content_length = content_length
        self.authorization = authorization


def forward_request_headers(
    scope: Scope, upstream_host: bytes, request_id: bytes
) -> ForwardedHeaders:
    """Client headers minus hop-by-hop ones, with Host set to the upstream, our request id, and
    X-Forwarded-For/-Proto/-Host added. Content-Length is returned separately because the body
    framing is decided by the caller; Authorization too, so the gateway can check the token."""
    out: RawHeaders = [(b"host", upstream_host), (b"x-request-id", request_id)]
    authorization: bytes | None = None
    host: bytes | None = None
    xff: bytes | None = None
    connection: bytes | None = None
    content_length: bytes | None = None
    for name, value in scope["headers"]:  # ASGI guarantees lower-cased names
        if name in _REQUEST_SPECIAL:
            if name == b"host":
                host = value
            elif name == b"content-length":
                content_length = value
            elif name == b"x-forwarded-for":
                xff = value if xff is None else xff + b", " + value
            elif name == b"connection":
                connection = value
            continue
        if name == b"authorization":
            authorization = value
        out.append((name, value))
    if connection is not None:  # headers nominated by Connection are hop-by-hop too
        tokens = _connection_tokens(connection) - {b"host"}
        out = [(n, v) for n, v in out if n not in tokens]

    client = scope.get("client")
    if client:
        peer = client[0].encode("latin-1")
        out.append((b"x-forwarded-for", peer if xff is None else xff + b", " + peer))
    elif xff is not None:
        out.append((b"x-forwarded-for", xff))
    out.append((b"x-forwarded-proto", scope.get("scheme", "http").encode("latin-1")))
    if host is not None:
        out.append((b"x-forwarded-host", host))
    return ForwardedHeaders(out, content_length, authorization)


def request_target(scope: Scope) -> str:
    """Origin-form target (path + query) exactly as the client sent it."""
    raw_path: bytes | None = scope.get("raw_path")
    if raw_path is None:
        raw_path = scope["path"].encode("utf-8")
    try:
        path = raw_path.decode("ascii")
    except UnicodeDecodeError:
        path = quote_from_bytes(raw_path, safe=_SAFE_PATH_CHARS)
    query: bytes = scope.get("query_string", b"")
    if query:
        return f"{path}?{query.decode('latin-1')}"
    return path


class StreamingRequestBody(httpx.AsyncByteStream):
    """The rest of an ASGI request body; ``complete`` flips once it was fully read.

    ``failure`` keeps what stopped the read (the client went away, or the body limit of the
    request middleware raised from ``receive``): the HTTP client that sends the stream upstream
    wraps it in a transport error, which must not read as the service being unavailable.
    """

    __slots__ = ("_first", "_receive", "complete", "failure")

    def __init__(self, first: bytes, receive: Receive) -> None:
        self._first = first
        self._receive = receive
        self.complete = False
        self.failure: Exception | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._first:
            yield self._first
        receive = self._receive
        while True:
            try:
                message = await receive()
            except Exception as error:  # kept for the proxy, which re-raises it
                self.failure = error
                raise
            if message["type"] == "http.disconnect":
                self.failure = ClientDisconnected()
                raise self.failure
            chunk: bytes = message.get("body", b"")
            more = message.get("more_body", False)
            if not more:
                self.complete = True
            if chunk:
                yield chunk
            if not more:
                return


async def read_request_body(receive: Receive) -> bytes | StreamingRequestBody:
    """Bytes if the body arrived in one ASGI message (the common case), else a stream."""
    message = await receive()
    if message["type"] == "http.disconnect":
        raise ClientDisconnected
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    return StreamingRequestBody(body, receive)


def filter_response_headers(raw: Iterable[tuple[bytes, bytes]]) -> tuple[RawHeaders, int | None]:
    """Upstream headers minus hop-by-hop, lower-cased for ASGI; also returns Content-Length."""
    out: RawHeaders = []
    content_length: int | None = None
    connection: bytes | None = None
    for name, value in raw:
        name = name.lower()
        if name in _RESPONSE_DROPPED:
            if name == b"connection":
                connection = value
            continue
        if name == b"content-length":
            try:
                content_length = int(value)
            except ValueError:
                continue
        out.append((name, value))
    if connection is not None:
        tokens = _connection_tokens(connection)
        out = [(n, v) for n, v in out if n not in tokens]
    return out, content_length


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _pump(send: Send, chunks: AsyncIterator[bytes], remaining: int | None) -> None:
    """Forward the remaining body chunks.  With a known length the final chunk carries
    ``more_body=False``.  The iterator is always drained, never abandoned, so async
    generators finish normally instead of via GC finalisation (which costs a task)."""
    finished = False
    async for chunk in chunks:
        if not chunk:
            continue
        if remaining is not None:
            remaining -= len(chunk)
            if remaining <= 0:
                await send({"type": "http.response.body", "body": chunk, "more_body": False})
                finished = True
                continue
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    if not finished:
        await send(_empty_body())


async def stream_response(
    send: Send,
    receive: Receive,
    status: int,
    headers: RawHeaders,
    content_length: int | None,
    chunks: AsyncIterator[bytes],
    can_watch_disconnect: bool,
) -> None:
    """Send status/headers, then the body.  ``can_watch_disconnect`` must only be true
    once the request body has been fully consumed (the watcher also calls receive())."""
    await send({"type": "http.response.start", "status": status, "headers": headers})

    # Fast path: most API responses arrive as one chunk that completes the body ->
    # a single http.response.body message.
    first = b""
    async for first in chunks:
        if first:
            break
    else:
        await send(_empty_body())
        return
    if content_length is not None and len(first) >= content_length:
        await send({"type": "http.response.body", "body": first, "more_body": False})
        async for _ in chunks:  # drain to EOF: finishes generators, releases connection
            pass
        return

    await send({"type": "http.response.body", "body": first, "more_body": True})
    remaining = None if content_length is None else content_length - len(first)
    if not can_watch_disconnect:
        await _pump(send, chunks, remaining)
        return

    # Long/streaming body: stop reading upstream as soon as the client is gone
    # (uvicorn's send() silently drops data after a disconnect, so it can't tell us).
    pump = asyncio.ensure_future(_pump(send, chunks, remaining))
    watcher = asyncio.ensure_future(_wait_for_disconnect(receive))
    try:
        await asyncio.wait((pump, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (pump, watcher):
            if not task.done():
                task.cancel()
        await asyncio.gather(pump, watcher, return_exceptions=True)
    if not pump.cancelled():
        pump.result()  # re-raise upstream read errors
