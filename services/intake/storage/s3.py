"""A file store in an S3-compatible object store (AWS S3, MinIO, Ceph, Scaleway, OVH...):
``s3://bucket/prefix?endpoint=https://s3.example&region=eu-south-1``. Credentials come from the
usual chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, a profile, an instance role),
never from the URL.

boto3 is synchronous: each call runs in a thread, so the event loop keeps serving. A file larger
than one part goes up as a multipart upload, one part in memory at a time (``PART_BYTES``); a
download streams the object's body in ``CHUNK_BYTES`` pieces.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from services.intake.storage import CHUNK_BYTES, StoredFileMissing, checked_key

PART_BYTES = 8 * 1024 * 1024  # S3's smallest part is 5 MiB; memory holds one part
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class S3Store:
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        staging: Path | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"},
                # Path-style for other S3-compatible servers, which rarely resolve bucket hosts.
                s3={"addressing_style": "path" if endpoint_url else "auto"},
            ),
        )
        self.staging = staging or Path(tempfile.gettempdir()) / "ponte-document-staging"
        self.staging.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_url(cls, url: str) -> S3Store:
        parts = urlsplit(url)
        if not parts.netloc:
            raise ValueError(f"an S3 store URL names its bucket: s3://bucket/prefix, not {url!r}")
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        return cls(
            parts.netloc,
            parts.path,
            endpoint_url=query.get("endpoint"),
            region=query.get("region"),
            staging=Path(query["staging"]) if "staging" in query else None,
        )

    def object_key(self, key: str) -> str:
        key = checked_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put(self, key: str, staged: Path, content_type: str) -> None:
        await asyncio.to_thread(self._put, self.object_key(key), staged, content_type)

    def _put(self, name: str, staged: Path, content_type: str) -> None:
        self._upload(name, staged, content_type)
        staged.unlink(missing_ok=True)  # stored: the staged copy goes, as a local move's does

    def _upload(self, name: str, staged: Path, content_type: str) -> None:
        with staged.open("rb") as handle:
            if staged.stat().st_size <= PART_BYTES:
                self.client.put_object(
                    Bucket=self.bucket, Key=name, Body=handle, ContentType=content_type
                )
                return
            upload = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=name, ContentType=content_type
            )["UploadId"]
            try:
                done = []
                for number, part in enumerate(iter(lambda: handle.read(PART_BYTES), b""), 1):
                    answer = self.client.upload_part(
                        Bucket=self.bucket, Key=name, UploadId=upload, PartNumber=number, Body=part
                    )
                    done.append({"PartNumber": number, "ETag": answer["ETag"]})
                    del part  # one part in memory at a time
                self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=name,
                    UploadId=upload,
                    MultipartUpload={"Parts": done},
                )
            except BaseException:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload)
                raise

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            answer = await asyncio.to_thread(
                self.client.get_object, Bucket=self.bucket, Key=self.object_key(key)
            )
        except ClientError as error:
            if _missing(error):
                raise StoredFileMissing(key) from None
            raise
        return _chunks(answer["Body"])

    async def delete(self, key: str) -> None:
        # Deleting an absent object succeeds in S3: an erasure run twice is no error.
        await asyncio.to_thread(
            self.client.delete_object, Bucket=self.bucket, Key=self.object_key(key)
        )

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(
                self.client.head_object, Bucket=self.bucket, Key=self.object_key(key)
            )
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    async def close(self) -> None:
        await asyncio.to_thread(self.client.close)


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


async def _chunks(body: Any) -> AsyncIterator[bytes]:
    pieces: Iterator[bytes] = body.iter_chunks(CHUNK_BYTES)
    try:
        while chunk := await asyncio.to_thread(next, pieces, b""):
            yield chunk
    finally:
        body.close()
