"""ClamAV's daemon, as intake asks it whether a document is clean: the ``INSTREAM`` command of
clamd's TCP protocol (``zINSTREAM\\0``, then the bytes in chunks each prefixed by its length as a
4-byte big-endian integer, then a zero length; the answer is one NUL-terminated line,
``stream: OK`` or ``stream: <signature> FOUND``). Configured by ``tcp://host:3310``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

# clamd refuses chunks longer than its StreamMaxLength; 256 KiB pieces are far below any setting.
_PIECE = 256 * 1024


class ScanUnavailable(Exception):
    """clamd did not answer, or answered with an error (its stream size limit, say): the document
    stays pending, to be scanned again."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str | None = None


class ClamdClient:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    @classmethod
    def from_url(cls, url: str, timeout: float) -> ClamdClient:
        parts = urlsplit(url)
        if parts.scheme != "tcp" or not parts.hostname:
            raise ValueError(f"a clamd URL is tcp://host:port, not {url!r}")
        return cls(parts.hostname, parts.port or 3310, timeout)

    async def scan(self, chunks: AsyncIterator[bytes]) -> Verdict:
        try:
            return await asyncio.wait_for(self._scan(chunks), self.timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as error:
            raise ScanUnavailable(type(error).__name__) from error

    async def _scan(self, chunks: AsyncIterator[bytes]) -> Verdict:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(b"zINSTREAM\0")
            async for chunk in chunks:
                for start in range(0, len(chunk), _PIECE):
                    piece = chunk[start : start + _PIECE]
                    writer.write(len(piece).to_bytes(4, "big") + piece)
                    await writer.drain()
            writer.write(b"\0\0\0\0")
            await writer.drain()
            answer = (await reader.readuntil(b"\0")).rstrip(b"\0").decode("utf-8", "replace")
        finally:
            writer.close()
            await writer.wait_closed()
        return verdict_of(answer)


def verdict_of(answer: str) -> Verdict:
    """``stream: OK`` is clean, ``stream: <signature> FOUND`` is not; anything else (``... ERROR``)
    is no verdict."""
    result = answer.removeprefix("stream:").strip()
    if result == "OK":
        return Verdict(clean=True)
    if result.endswith(" FOUND"):
        return Verdict(clean=False, signature=result.removesuffix(" FOUND").strip())
    raise ScanUnavailable(answer[:200])
