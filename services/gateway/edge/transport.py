"""The pooled client behind the gateway's proxy: the httpx API over an aiohttp transport.

Measured on this 2-core machine (wrk, 32 connections, proxy in front of a FastAPI hello-world;
bench/results/ has the numbers): httpx's default transport (httpcore) reached ~9% of the
hello-world's throughput, the httpx-aiohttp package ~35%, this transport ~53% when the proxy calls
it directly. httpx stays the client API; aiohttp does the wire work.

* no automatic decompression (bytes pass through as received),
* no injected ``Accept`` / ``Accept-Encoding`` / ``User-Agent`` / ``Content-Type``,
* no cookie persistence (a shared jar in a gateway would leak one user's cookies to another),
* no redirects, no proxies from the environment,
* aiohttp errors map onto httpx's exceptions (``httpx.ConnectError``, ``httpx.ReadTimeout``...).

HTTP/1.1 only (aiohttp has no HTTP/2 client), which is what the services speak.
"""

from __future__ import annotations

import asyncio
import ssl as ssl_module
from collections.abc import AsyncIterator, Mapping
from functools import lru_cache
from types import TracebackType
from typing import Any, Final

import aiohttp
import httpx
from multidict import CIMultiDict
from yarl import URL

from services.gateway.settings import GatewaySettings

# Headers aiohttp would otherwise add on its own.  A proxy must not invent them; in
# particular an injected ``Accept-Encoding: gzip`` combined with ``auto_decompress=False``
# would hand compressed bodies to clients that never asked for them.
_SKIP_AUTO_HEADERS: Final = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")

_HTTP_VERSIONS: Final[dict[aiohttp.HttpVersion, bytes]] = {
    aiohttp.HttpVersion11: b"HTTP/1.1",
    aiohttp.HttpVersion10: b"HTTP/1.0",
}

# Ordered most-specific first; the first ``isinstance`` match wins.
_EXCEPTION_MAP: Final[tuple[tuple[type[BaseException], type[httpx.TransportError]], ...]] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),  # sock_connect / pool wait
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),  # sock_read
    (aiohttp.ServerTimeoutError, httpx.TimeoutException),
    (asyncio.TimeoutError, httpx.TimeoutException),
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientConnectorError, httpx.ConnectError),  # refused, DNS, TLS handshake
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),  # truncated/invalid body
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # unparsable response
    (aiohttp.ClientConnectionResetError, httpx.WriteError),
    (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.InvalidUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.ClientOSError, httpx.NetworkError),
    (aiohttp.ClientConnectionError, httpx.NetworkError),
    (aiohttp.ClientError, httpx.TransportError),
)

_CATCH: Final = (aiohttp.ClientError, asyncio.TimeoutError)

DEFAULT_LIMITS: Final = httpx.Limits(max_connections=1000, keepalive_expiry=4.0)


def _map_exception(
    exc: BaseException, request: httpx.Request | None, *, reading: bool = False
) -> httpx.TransportError:
    target = next(
        (target for source, target in _EXCEPTION_MAP if isinstance(exc, source)),
        httpx.TransportError,
    )
    if reading and target is httpx.NetworkError:
        target = httpx.ReadError
    message = str(exc) or type(exc).__name__
    return target(message, request=request)


def client_timeout(timeout: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
    """httpx's timeout dictionary (``httpx.Timeout.as_dict()``) as aiohttp's."""
    return _client_timeout(timeout.get("connect"), timeout.get("read"), timeout.get("pool"))


@lru_cache(maxsize=64)
def _client_timeout(
    connect: float | None, read: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """Translate httpx timeouts to aiohttp's (cached: there are only a few distinct ones).

    * httpx ``connect`` -> aiohttp ``sock_connect`` (TCP/TLS establishment),
    * httpx ``pool`` + ``connect`` -> aiohttp ``connect`` (pool wait *and* establishment),
    * httpx ``read`` -> aiohttp ``sock_read`` (max gap between reads).

    aiohttp has no write timeout; httpx's ``write`` is ignored.
    """
    overall_connect = None if pool is None or connect is None else pool + connect
    return aiohttp.ClientTimeout(
        total=None, connect=overall_connect, sock_connect=connect, sock_read=read
    )


async def iter_body(
    response: aiohttp.ClientResponse, request: httpx.Request | None = None
) -> AsyncIterator[bytes]:
    """The upstream body exactly as received (no decoding, no re-chunking), errors as httpx's."""
    content = response.content
    try:
        while chunk := await content.readany():
            yield chunk
    except _CATCH as exc:
        raise _map_exception(exc, request, reading=True) from exc


class _AiohttpResponseStream(httpx.AsyncByteStream):
    __slots__ = ("_request", "_response")

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    def __aiter__(self) -> AsyncIterator[bytes]:
        return iter_body(self._response, self._request)

    async def aclose(self) -> None:
        # Returns the connection to the pool if the body was fully read; otherwise
        # aiohttp closes it (a half-read HTTP/1.1 connection cannot be reused).
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx transport over one pooled :class:`aiohttp.ClientSession`.

    Use it as ``httpx.AsyncClient(transport=AiohttpTransport(...))`` and enter the client
    (``async with client:``) from inside the running event loop, e.g. in ASGI lifespan.

    ``limits.max_connections`` maps to aiohttp's total connection limit and
    ``limits.keepalive_expiry`` to its idle keep-alive timeout.  Keep the latter *below*
    the upstream server's keep-alive timeout (uvicorn: 5 s) to avoid reusing connections
    the server is about to close.  ``max_keepalive_connections`` has no aiohttp
    equivalent and is ignored.
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits = DEFAULT_LIMITS,
        limit_per_host: int = 0,
        ssl: ssl_module.SSLContext | bool = True,
        read_bufsize: int = 2**16,
        connector: aiohttp.BaseConnector | None = None,
    ) -> None:
        self._limits = limits
        self._limit_per_host = limit_per_host
        self._ssl = ssl
        self._read_bufsize = read_bufsize
        self._connector = connector
        self._session: aiohttp.ClientSession | None = None

    # -- lifecycle -------------------------------------------------------------------

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = self._connector or aiohttp.TCPConnector(
                limit=self._limits.max_connections or 0,
                limit_per_host=self._limit_per_host,
                keepalive_timeout=self._limits.keepalive_expiry,
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                connector_owner=self._connector is None,  # a passed-in connector stays yours
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_SKIP_AUTO_HEADERS,
                auto_decompress=False,
                timeout=aiohttp.ClientTimeout(total=None),
                read_bufsize=self._read_bufsize,
                trust_env=False,
                requote_redirect_url=False,
            )
        return self._session

    async def __aenter__(self) -> AiohttpTransport:
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- request handling -----------------------------------------------------------

    async def open(
        self,
        method: str,
        url: URL,
        *,
        headers: Any,
        data: Any,
        timeouts: aiohttp.ClientTimeout,
        request: httpx.Request | None = None,
    ) -> aiohttp.ClientResponse:
        """Send a request and return aiohttp's response, headers read, body not yet: the lower
        level under :meth:`handle_async_request`, which the gateway's proxy calls directly
        (measured: the httpx request/response objects cost ~15% of a proxied call)."""
        session = self._session
        if session is None or session.closed:
            session = self._open()
        try:
            return await session.request(
                method,
                url,
                headers=headers,
                data=data,
                allow_redirects=False,
                timeout=timeouts,
                server_hostname=request.extensions.get("sni_hostname") if request else None,
            )
        except _CATCH as exc:
            raise _map_exception(exc, request) from exc

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers: CIMultiDict[str] = CIMultiDict(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        )
        data: Any
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):  # in-memory body (or none)
            data = b"".join(stream) or None
        else:  # streaming body: AsyncIterable[bytes]
            data = stream
            # aiohttp frames the body itself (chunked unless Content-Length is set).
            headers.popall("Transfer-Encoding", None)

        timeout = request.extensions.get("timeout")
        response = await self.open(
            request.method,
            URL(str(request.url), encoded=True),
            headers=headers,
            data=data,
            timeouts=client_timeout(timeout) if timeout else aiohttp.ClientTimeout(total=None),
            request=request,
        )
        reason = response.reason
        version = response.version
        http_version = _HTTP_VERSIONS.get(version, b"HTTP/1.1") if version else b"HTTP/1.1"
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_AiohttpResponseStream(response, request),
            request=request,
            extensions={
                "http_version": http_version,
                "reason_phrase": reason.encode("latin-1") if reason else b"",
            },
        )


class _NoCookies(httpx.Cookies):
    """A cookie store that never stores or sends anything."""

    def extract_cookies(self, response: httpx.Response) -> None:  # noqa: ARG002
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:  # noqa: ARG002
        return None


_NO_COOKIES: Final = _NoCookies()


class GatewayClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` safe to share between every caller of the gateway: it keeps no
    cookies (a stock client would send user A's ``Set-Cookie`` on user B's request, and parses
    cookies on every response) and adds no default headers of its own."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trust_env", False)
        kwargs.setdefault("follow_redirects", False)
        super().__init__(**kwargs)
        self.headers.clear()

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        if cookies:
            raise ValueError("GatewayClient does not keep cookies")


def upstream_transport(settings: GatewaySettings) -> AiohttpTransport:
    return AiohttpTransport(
        limits=httpx.Limits(
            max_connections=settings.upstream_max_connections,
            # below uvicorn's 5 s keep-alive, so a connection being closed is never reused
            keepalive_expiry=4.0,
        )
    )


def upstream_timeout(settings: GatewaySettings) -> httpx.Timeout:
    return httpx.Timeout(
        settings.upstream_timeout_seconds,
        connect=settings.upstream_connect_timeout_seconds,
        pool=settings.upstream_connect_timeout_seconds,
    )
