"""Where the bytes of a person's documents live: a file store, chosen by a URL
(``PONTE_INTAKE_DOCUMENT_STORE_URL``). ``file:///path`` (or ``file:relative/path``) is a local
directory, the default for ``make run`` and the tests; ``s3://bucket/prefix?endpoint=...`` an
S3-compatible object store (``storage/s3.py``). The metadata is in the database
(``db/documents.py``); a store knows keys and bytes only."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

CHUNK_BYTES = 256 * 1024
_KEY = re.compile(r"^[a-z0-9][a-z0-9/-]{0,199}$")


class StoredFileMissing(Exception):
    """The metadata names bytes the store does not have (deleted under it, or a failed move)."""


class FileStore(Protocol):
    """Staging is local in every store: an upload is written (and hashed) into ``staging``, then
    handed to ``put``, so a refused upload never reaches the store."""

    staging: Path

    async def put(self, key: str, staged: Path, content_type: str) -> None:
        """Store the staged file under ``key``; the staged file is gone afterwards."""

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The bytes in chunks; raises :class:`StoredFileMissing` before the first one."""

    async def delete(self, key: str) -> None:
        """Remove the bytes; nothing to remove is not an error (erasure runs again)."""

    async def exists(self, key: str) -> bool: ...

    async def close(self) -> None: ...


def checked_key(key: str) -> str:
    """Keys are ours (``documents/<uuid>``); checked anyway, as a local path is built from them."""
    if not _KEY.match(key) or ".." in key or "//" in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def store_from_url(url: str) -> FileStore:
    parts = urlsplit(url)
    if parts.scheme == "file":
        from services.intake.storage.local import LocalStore

        path = parts.path if parts.netloc in ("", "localhost") else parts.netloc + parts.path
        return LocalStore(Path(path))
    if parts.scheme == "s3":
        from services.intake.storage.s3 import S3Store

        return S3Store.from_url(url)
    raise ValueError(f"a document store URL is file:///path or s3://bucket/prefix, not {url!r}")
