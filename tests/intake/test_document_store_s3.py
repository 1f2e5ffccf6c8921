"""The S3-compatible document store, over HTTP against moto's standalone server (started here, a
stand-in for MinIO or AWS), through the same store code production uses: a multipart upload in
parts with bounded memory, a streamed download, deletion; and the intake app on it end to end:
upload, download, erasure removing the object."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from services.intake.app import create_app
from services.intake.db.models import metadata
from services.intake.domain.documents import PDF
from services.intake.settings import IntakeSettings
from services.intake.storage import StoredFileMissing, store_from_url
from services.intake.storage.s3 import PART_BYTES, S3Store
from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, register
from tests.support import serve, truncate

BUCKET = "ponte-documents"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ponte-test",
    "AWS_SECRET_ACCESS_KEY": "ponte-test-secret",
    "AWS_DEFAULT_REGION": "eu-south-1",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server in its own process, with the bucket made; the AWS variables point the
    store's credential chain at it."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as output, pytest.MonkeyPatch.context() as patch:
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        endpoint = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{endpoint}/moto-api/", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError(log.read_text()) from None
                    time.sleep(0.2)
            client = boto3.client("s3", endpoint_url=endpoint)
            client.create_bucket(
                Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-south-1"}
            )
            yield endpoint
        finally:
            server.terminate()
            server.wait(timeout=10)


def _url(endpoint: str, prefix: str) -> str:
    return f"s3://{BUCKET}/{prefix}?endpoint={endpoint}&region=eu-south-1"


def _object(endpoint: str, key: str) -> dict[str, object] | None:
    try:
        found: dict[str, object] = boto3.client("s3", endpoint_url=endpoint).head_object(
            Bucket=BUCKET, Key=key
        )
    except ClientError:
        return None
    return found


def _staged(store: S3Store, size: int) -> tuple[Path, str]:
    """A staged file of ``size`` bytes, written a block at a time; and its SHA-256."""
    path = store.staging / f"{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    block = hashlib.sha256(b"ponte").digest() * 32768  # 1 MiB
    with path.open("wb") as handle:
        written = 0
        while written < size:
            piece = block[: min(len(block), size - written)]
            handle.write(piece)
            digest.update(piece)
            written += len(piece)
    return path, digest.hexdigest()


async def test_a_large_file_goes_up_in_parts_and_streams_back(
    s3_endpoint: str, tmp_path: Path
) -> None:
    store = store_from_url(_url(s3_endpoint, "store-test") + f"&staging={tmp_path}")
    assert isinstance(store, S3Store)
    size = 6 * PART_BYTES + 12345  # seven parts, about 50 MB
    staged, sha256 = _staged(store, size)
    tracemalloc.start()
    try:
        await store.put("documents/large", staged, PDF)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # One part in memory (and botocore's view of it), never the file.
    assert peak < 3 * PART_BYTES, f"peak {peak} bytes for a {size}-byte upload"
    assert not staged.exists()
    head = _object(s3_endpoint, "store-test/documents/large")
    assert head is not None
    assert head["ContentLength"] == size
    assert head["ContentType"] == PDF
    assert str(head["ETag"]).endswith('-7"')  # a multipart upload's ETag counts its parts

    digest, received = hashlib.sha256(), 0
    async for chunk in await store.open("documents/large"):
        digest.update(chunk)
        received += len(chunk)
    assert (received, digest.hexdigest()) == (size, sha256)

    assert await store.exists("documents/large")
    await store.delete("documents/large")
    assert not await store.exists("documents/large")
    assert _object(s3_endpoint, "store-test/documents/large") is None
    await store.delete("documents/large")  # nothing left: no error
    with pytest.raises(StoredFileMissing):
        await store.open("documents/large")
    await store.close()


@pytest.fixture
async def intake_on_s3(
    s3_endpoint: str, intake_database: str, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    await truncate(intake_database, metadata)
    settings = IntakeSettings(
        document_store_url=_url(s3_endpoint, "app"),
        database_url=intake_database,
        migrate_on_start=False,
        relay_events=False,
        internal_token="test-internal-token",
        pathways_url="http://127.0.0.1:9",
        matching_url="http://127.0.0.1:9",
        gateway_url="http://127.0.0.1:9",
    )
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        yield client


async def test_intake_keeps_documents_in_the_object_store(
    intake_on_s3: httpx.AsyncClient, issuer: TestIssuer, s3_endpoint: str
) -> None:
    a = Org(issuer)
    person = await register(intake_on_s3, a)
    url = f"/api/v1/beneficiaries/{person['id']}"
    content = b"%PDF-1.7\n" + bytes(range(256)) * 100
    created = await intake_on_s3.post(
        f"{url}/documents",
        data={"kind": "signed_consent"},
        files={"file": ("consenso.pdf", content, "application/pdf")},
        headers=a.operator,
    )
    assert created.status_code == 201, created.text
    document = created.json()
    key = f"app/documents/{document['id']}"
    assert _object(s3_endpoint, key) is not None

    download = await intake_on_s3.get(document["content_url"], headers=a.operator)
    assert download.status_code == 200
    assert download.content == content

    erased = await intake_on_s3.delete(url, headers=a.admin)
    assert erased.status_code == 204, erased.text
    assert _object(s3_endpoint, key) is None  # erasure removed the object
