"""A file store in a local directory: ``<root>/<key>``, staged uploads in ``<root>/.staging``
(the same file system, so storing one is a rename, atomic). File I/O runs in threads: the event
loop serves other requests while a large file is read or written."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from services.intake.storage import CHUNK_BYTES, StoredFileMissing, checked_key


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.staging = self.root / ".staging"
        self.staging.mkdir(parents=True, exist_ok=True)

    def path_of(self, key: str) -> Path:
        return self.root / checked_key(key)

    async def put(self, key: str, staged: Path, content_type: str) -> None:  # noqa: ARG002
        target = self.path_of(key)

        def move() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)

        await asyncio.to_thread(move)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self.path_of(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise StoredFileMissing(key) from None
        return _chunks(handle)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path_of(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path_of(key).is_file)

    async def close(self) -> None:
        return None


async def _chunks(handle: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()
