"""Reading a ``multipart/form-data`` upload as it streams: the file part is hashed and written to
a staging file chunk by chunk, never held whole in memory; the other parts are small text fields.
The parser (python-multipart, FastAPI's own) is fed the request's chunks as they arrive."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from services.intake.domain.documents import HEAD_BYTES
from services.intake.errors import DocumentTooLarge, UploadRefused

FILE_FIELD = "file"
MAX_FIELD_BYTES = 4096
MAX_FIELDS = 16


@dataclass
class StagedFile:
    """A file part written to ``path``: its size, SHA-256 and first bytes (to tell its type)."""

    path: Path
    filename: str
    size: int = 0
    head: bytes = b""
    sha256: str = ""

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    file: StagedFile | None = None

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()


@dataclass
class _Part:
    name: str
    filename: str | None
    text: bytearray = field(default_factory=bytearray)


async def receive(
    content_type: str, chunks: AsyncIterator[bytes], staging: Path, max_file_bytes: int
) -> Upload:
    """The form's fields and its one file (staged). 422 for anything but a multipart form with
    at most one file part, named ``file``; 413 as soon as the file passes ``max_file_bytes``. On
    any error the staged file is removed."""
    media, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media != b"multipart/form-data" or not boundary:
        raise UploadRefused("The upload is a multipart/form-data form.", "content-type")
    events: list[tuple[str, bytes]] = []
    header = [bytearray(), bytearray()]

    def on_header_end() -> None:
        events.append(("header", bytes(header[0]).lower() + b"\x00" + bytes(header[1])))
        header[0].clear()
        header[1].clear()

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": lambda: events.append(("begin", b"")),
            # python-multipart bounds a header's size itself (a parse error past it).
            "on_header_field": lambda data, start, end: header[0].extend(data[start:end]),
            "on_header_value": lambda data, start, end: header[1].extend(data[start:end]),
            "on_header_end": on_header_end,
            "on_part_data": lambda data, start, end: events.append(("data", data[start:end])),
            "on_part_end": lambda: events.append(("end", b"")),
            "on_end": lambda: events.append(("done", b"")),
        },
    )
    upload = Upload()
    reader = _Reader(upload, staging, max_file_bytes)
    try:
        async for chunk in chunks:
            try:
                parser.write(chunk)
            except MultipartParseError:
                raise UploadRefused("The form is not valid multipart/form-data.", "form") from None
            for kind, data in events:
                await reader.on(kind, data)
            events.clear()
        parser.finalize()
        for kind, data in events:
            await reader.on(kind, data)
        reader.close()
        if not reader.done:
            raise UploadRefused("The form ends before its closing boundary.", "form")
    except BaseException:
        reader.close()
        upload.discard()
        raise
    return upload


class _Reader:
    """The parser's events, in order, turned into fields and a staged file."""

    def __init__(self, upload: Upload, staging: Path, max_file_bytes: int) -> None:
        self.upload = upload
        self.staging = staging
        self.max_file_bytes = max_file_bytes
        self.part: _Part | None = None
        self.headers: dict[bytes, bytes] = {}
        self.handle: BinaryIO | None = None
        self.hasher = hashlib.sha256()
        self.done = False

    async def on(self, kind: str, data: bytes) -> None:
        if kind == "begin":
            self.part, self.headers = None, {}
        elif kind == "header":
            name, _, value = data.partition(b"\x00")
            self.headers[name] = value
        elif kind == "data":
            await self._data(data)
        elif kind == "end":
            self._end()
        elif kind == "done":
            self.done = True

    def _start(self) -> _Part:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        part = _Part(name, None if filename is None else filename.decode("utf-8", "replace"))
        if part.filename is not None:
            if name != FILE_FIELD or self.upload.file is not None:
                raise UploadRefused("An upload carries one file, in the part named file.", name)
            self.upload.file = StagedFile(
                self.staging / f"{uuid.uuid4().hex}.part", part.filename or "document"
            )
            self.handle = self.upload.file.path.open("wb")
        elif len(self.upload.fields) >= MAX_FIELDS:
            raise UploadRefused("Too many form fields.", name)
        self.part = part
        return part

    async def _data(self, data: bytes) -> None:
        part = self.part or self._start()
        staged = self.upload.file
        if part.filename is None:
            part.text.extend(data)
            if len(part.text) > MAX_FIELD_BYTES:
                raise UploadRefused(f"A form field is at most {MAX_FIELD_BYTES} bytes.", part.name)
            return
        assert staged is not None  # set by _start
        assert self.handle is not None
        staged.size += len(data)
        if staged.size > self.max_file_bytes:
            raise DocumentTooLarge(self.max_file_bytes)
        if len(staged.head) < HEAD_BYTES:
            staged.head += data[: HEAD_BYTES - len(staged.head)]
        self.hasher.update(data)
        await asyncio.to_thread(self.handle.write, data)

    def _end(self) -> None:
        part = self.part or self._start()  # an empty part has no data event
        if part.filename is None:
            try:
                self.upload.fields[part.name] = part.text.decode("utf-8")
            except UnicodeDecodeError:
                raise UploadRefused("Form fields are UTF-8 text.", part.name) from None
        elif self.upload.file is not None:
            self.upload.file.sha256 = self.hasher.hexdigest()
            self.close()
        self.part = None

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
