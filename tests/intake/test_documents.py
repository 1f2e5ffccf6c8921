"""Documents: uploaded (streamed, typed by their bytes) and deleted by the registering
organisation, read and downloaded by the organisations granted their section; every download in
the access log; in the export; their bytes gone with a DELETE, an erasure or a failed commit
(checked in the store); moved by a merge; a large upload never held in memory (measured)."""

from __future__ import annotations

import hashlib
import json
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.intake.app import create_app
from services.intake.domain.documents import (
    DEFAULT_SECTION,
    DOCX,
    ODT,
    PDF,
    DocumentKind,
    content_type_of,
)
from services.intake.schemas.export import BeneficiaryExport
from services.intake.settings import IntakeSettings
from services.intake.storage.local import LocalStore
from services.intake.storage.upload import receive
from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, register
from tests.support import as_documented, serve, sql

PDF_BYTES = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 40 + b"%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(200)
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(300)  # a Windows program, named .pdf below


def _sharing(org: Org, sections: list[str]) -> dict[str, object]:
    return {
        "purpose": "sharing",
        "organization_id": str(org.id),
        "sections": sections,
        "text_version": "it-2026-01",
        "collection_method": "paper_signed",
    }


async def _upload(
    intake: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    content: bytes = PDF_BYTES,
    filename: str = "permesso.pdf",
    **fields: Any,
) -> httpx.Response:
    form = {"kind": "permit", **fields}
    if isinstance(form.get("supports"), dict):
        form["supports"] = json.dumps(form["supports"])
    return await intake.post(
        f"{url}/documents",
        data=form,
        files={"file": (filename, content, "application/pdf")},
        headers=headers,
    )


async def _uploaded(intake: httpx.AsyncClient, url: str, org: Org, **kwargs: Any) -> dict[str, Any]:
    answer = await _upload(intake, url, org.operator, **kwargs)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def _stored(root: Path) -> set[str]:
    """The documents' files in the store (staging excluded)."""
    return {path.name for path in (root / "documents").glob("*")} if root.exists() else set()


async def test_an_operator_uploads_lists_reads_and_downloads_a_document(
    intake: httpx.AsyncClient,
    orgs: tuple[Org, Org, Org],
    document_root: Path,
    intake_database: str,
) -> None:
    a, _, _ = orgs
    person = await register(intake, a)
    url = f"/api/v1/beneficiaries/{person['id']}"
    consent = str(uuid.uuid4())
    answer = await _upload(
        intake,
        url,
        a.operator,
        expires_on="2027-06-30",
        supports={"type": "consent", "id": consent},
    )
    assert answer.status_code == 201, answer.text
    document = answer.json()
    assert answer.headers["location"] == f"{url}/documents/{document['id']}"
    assert document["kind"] == "permit"
    assert document["section"] == "identity"  # a permit's, by default
    assert document["status"] == "available"
    assert document["content_type"] == PDF
    assert document["size_bytes"] == len(PDF_BYTES)
    assert document["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document["expires_on"] == "2027-06-30"
    assert document["supports"] == {"type": "consent", "id": consent}
    assert document["filename"] == "permesso.pdf"
    assert _stored(document_root) == {document["id"]}
    assert not list((document_root / ".staging").iterdir())

    listed = (await intake.get(f"{url}/documents", headers=a.operator)).json()
    assert [item["id"] for item in listed["items"]] == [document["id"]]
    one = await intake.get(f"{url}/documents/{document['id']}", headers=a.operator)
    assert one.json() == document

    download = await intake.get(document["content_url"], headers=a.operator)
    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download.headers["content-type"] == PDF
    assert download.headers["etag"] == f'"{document["sha256"]}"'
    assert "attachment" in download.headers["content-disposition"]
    log = await sql(
        intake_database,
        "SELECT action, purpose FROM access_log WHERE beneficiary_id = $1 AND action = $2",
        uuid.UUID(person["id"]),
        "download",
    )
    assert [row["purpose"] for row in log] == [
        "GET /api/v1/beneficiaries/{beneficiary_id}/documents/{document_id}/content"
    ]


async def test_the_type_is_decided_by_the_bytes_not_the_name(
    intake: httpx.AsyncClient,
    orgs: tuple[Org, Org, Org],
    document_root: Path,
    intake_database: str,
) -> None:
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    refused = await _upload(intake, url, a.operator, content=EXECUTABLE, filename="permesso.pdf")
    assert refused.status_code == 415, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert PDF in refused.json()["accepted"]
    # A PNG named .pdf is a PNG.
    png = await _uploaded(intake, url, a, content=PNG_BYTES, filename="scan.pdf")
    assert png["content_type"] == "image/png"
    download = await intake.get(png["content_url"], headers=a.operator)
    assert download.headers["content-type"] == "image/png"
    assert "scan.png" in download.headers["content-disposition"]
    rows = await sql(intake_database, "SELECT count(*) AS n FROM document")
    assert rows[0]["n"] == 1
    assert _stored(document_root) == {png["id"]}
    assert not list((document_root / ".staging").iterdir())


def _zip_entry(name: bytes) -> bytes:
    """A zip's first local file header naming ``name`` (no extra field)."""
    return b"PK\x03\x04" + bytes(22) + len(name).to_bytes(2, "little") + bytes(2) + name


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.4", PDF),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"II*\x00", "image/tiff"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic", "image/heic"),
        (
            b"PK\x03\x04"
            + bytes(22)
            + (8).to_bytes(2, "little")
            + bytes(2)
            + b"mimetype"
            + ODT.encode(),
            ODT,
        ),
        (
            b"PK\x03\x04"
            + bytes(22)
            + (19).to_bytes(2, "little")
            + bytes(2)
            + b"[Content_Types].xml",
            DOCX,
        ),
        (b"PK\x03\x04" + bytes(22) + (7).to_bytes(2, "little") + bytes(2) + b"run.exe", None),
        (b"\x7fELF\x02\x01", None),
        (b"#!/bin/sh\n", None),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_content_types_by_their_magic_numbers(head: bytes, expected: str | None) -> None:
    assert content_type_of(head) == expected


async def test_bad_uploads_are_refused_and_leave_nothing(
    intake: httpx.AsyncClient,
    orgs: tuple[Org, Org, Org],
    document_root: Path,
    intake_database: str,
) -> None:
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    for fields in (
        {"kind": "passport"},
        {"section": "everything"},
        {"expires_on": "soon"},
        {"supports": "{not json"},
        {"supports": {"type": "referral", "id": str(uuid.uuid4())}},
        {"colour": "blue"},
    ):
        answer = await _upload(intake, url, a.operator, **fields)
        assert answer.status_code == 422, (fields, answer.text)
        assert answer.json()["errors"], fields
    empty = await _upload(intake, url, a.operator, content=b"")
    assert empty.status_code == 422
    no_file = await intake.post(f"{url}/documents", data={"kind": "permit"}, headers=a.operator)
    assert no_file.status_code == 422
    as_json = await intake.post(f"{url}/documents", json={"kind": "permit"}, headers=a.operator)
    assert as_json.status_code == 422
    two = await intake.post(
        f"{url}/documents",
        data={"kind": "permit"},
        files=[("file", ("a.pdf", PDF_BYTES)), ("file", ("b.pdf", PDF_BYTES))],
        headers=a.operator,
    )
    assert two.status_code == 422
    for broken in (
        b"not a form at all",
        b'--b\r\nContent-Disposition: form-data; name="kind"\r\n',
        b"--b\r\nX-Padding: " + b"x" * 10000 + b"\r\n\r\npermit\r\n--b--\r\n",
    ):
        answer = await intake.post(
            f"{url}/documents",
            content=broken,
            headers={**a.operator, "Content-Type": "multipart/form-data; boundary=b"},
        )
        assert answer.status_code == 422, answer.text
    assert (await sql(intake_database, "SELECT count(*) AS n FROM document"))[0]["n"] == 0
    assert _stored(document_root) == set()
    assert not list((document_root / ".staging").iterdir())


async def test_a_file_over_the_limit_is_413(
    intake_database: str, issuer: TestIssuer, tmp_path: Path
) -> None:
    settings = IntakeSettings(
        document_store_url=(tmp_path / "small").as_uri(),
        document_max_bytes=4096,
        database_url=intake_database,
        migrate_on_start=False,
        relay_events=False,
    )
    a = Org(issuer)
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        url = f"/api/v1/beneficiaries/{(await register(client, a))['id']}"
        answer = await _upload(client, url, a.operator, content=b"%PDF-" + bytes(5000))
        assert answer.status_code == 413, answer.text
        assert answer.json()["limit_bytes"] == 4096
        fits = await _upload(client, url, a.operator, content=b"%PDF-" + bytes(4000))
        assert fits.status_code == 201, fits.text
    assert not list((tmp_path / "small" / ".staging").iterdir())


async def test_shared_organisations_read_the_granted_sections_and_never_write(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], document_root: Path
) -> None:
    a, b, c = orgs
    person = await register(intake, a)
    url = f"/api/v1/beneficiaries/{person['id']}"
    granted = await intake.post(
        f"{url}/consents", json=_sharing(b, ["identity"]), headers=a.operator
    )
    assert granted.status_code == 201, granted.text
    permit = await _uploaded(intake, url, a)
    diploma = await _uploaded(intake, url, a, kind="diploma", content=PNG_BYTES)
    assert diploma["section"] == "profile"

    listed = (await intake.get(f"{url}/documents", headers=b.operator)).json()
    assert [item["id"] for item in listed["items"]] == [permit["id"]]
    assert (await intake.get(permit["content_url"], headers=b.operator)).content == PDF_BYTES
    for path in (f"{url}/documents/{diploma['id']}", diploma["content_url"]):
        assert (await intake.get(path, headers=b.operator)).status_code == 404
    assert (await _upload(intake, url, b.operator)).status_code == 403
    deleted = await intake.delete(f"{url}/documents/{permit['id']}", headers=b.operator)
    assert deleted.status_code == 403
    hidden = await intake.delete(f"{url}/documents/{diploma['id']}", headers=b.operator)
    assert hidden.status_code == 404
    # Not shared with at all: the person is not there.
    for path in (f"{url}/documents", f"{url}/documents/{permit['id']}", permit["content_url"]):
        assert (await intake.get(path, headers=c.operator)).status_code == 404
    assert (await _upload(intake, url, c.operator)).status_code == 404
    assert _stored(document_root) == {permit["id"], diploma["id"]}


async def test_delete_removes_the_row_and_the_bytes(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], document_root: Path
) -> None:
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    kept = await _uploaded(intake, url, a)
    gone = await _uploaded(intake, url, a, kind="payslip")
    answer = await intake.delete(f"{url}/documents/{gone['id']}", headers=a.operator)
    assert answer.status_code == 204
    assert _stored(document_root) == {kept["id"]}
    assert (await intake.get(gone["content_url"], headers=a.operator)).status_code == 404
    again = await intake.delete(f"{url}/documents/{gone['id']}", headers=a.operator)
    assert again.status_code == 404


async def test_export_lists_them_and_erasure_removes_the_bytes(
    intake: httpx.AsyncClient,
    orgs: tuple[Org, Org, Org],
    document_root: Path,
    intake_database: str,
) -> None:
    a, _, _ = orgs
    person = await register(intake, a)
    other = await register(intake, a, given_name="Amina")
    url = f"/api/v1/beneficiaries/{person['id']}"
    mine = [await _uploaded(intake, url, a), await _uploaded(intake, url, a, kind="contract")]
    theirs = await _uploaded(intake, f"/api/v1/beneficiaries/{other['id']}", a)
    exported = as_documented(
        BeneficiaryExport, (await intake.get(f"{url}/export", headers=a.admin)).json()
    )
    listed = exported["data"]["intake"]["documents"]
    assert {item["id"] for item in listed} == {document["id"] for document in mine}
    assert all("storage_key" not in item for item in listed)
    assert listed[0]["sha256"] == mine[0]["sha256"]

    erased = await intake.delete(url, headers=a.admin)
    assert erased.status_code == 204, erased.text
    assert _stored(document_root) == {theirs["id"]}  # the bytes are gone from the store
    rows = await sql(
        intake_database,
        "SELECT count(*) AS n FROM document WHERE beneficiary_id = $1",
        uuid.UUID(person["id"]),
    )
    assert rows[0]["n"] == 0


async def test_a_merge_moves_the_documents_to_the_survivor(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    survivor = await register(intake, a)
    duplicate = await register(intake, a, given_name="Ahmad")
    moved = await _uploaded(intake, f"/api/v1/beneficiaries/{duplicate['id']}", a)
    merged = await intake.post(
        f"/api/v1/beneficiaries/{survivor['id']}/merge",
        json={"merged_id": duplicate["id"]},
        headers=a.operator,
    )
    assert merged.status_code == 200, merged.text
    url = f"/api/v1/beneficiaries/{survivor['id']}"
    listed = (await intake.get(f"{url}/documents", headers=a.operator)).json()
    assert [item["id"] for item in listed["items"]] == [moved["id"]]
    download = await intake.get(f"{url}/documents/{moved['id']}/content", headers=a.operator)
    assert download.content == PDF_BYTES


async def test_an_idempotency_key_makes_the_upload_safe_to_retry(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], document_root: Path
) -> None:
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    headers = {**a.operator, "Idempotency-Key": str(uuid.uuid4())}
    first = await _upload(intake, url, headers)
    again = await _upload(intake, url, headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = await _upload(intake, url, headers, content=PNG_BYTES)
    assert other.status_code == 422
    assert _stored(document_root) == {first.json()["id"]}


async def _multipart(size: int, boundary: str) -> AsyncIterator[bytes]:
    """A form with a ``size``-byte PDF, produced in 64 KiB chunks (as a socket delivers it)."""
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\npermit\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + b"%PDF-"
    block = bytes(range(256)) * 256
    sent = 5
    while sent < size:
        chunk = block[: min(len(block), size - sent)]
        sent += len(chunk)
        yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


async def test_a_50_mb_upload_streams_without_being_held_in_memory(tmp_path: Path) -> None:
    size = 50 * 1024 * 1024
    store = LocalStore(tmp_path / "store")
    boundary = "ponte-boundary-7f3a"
    tracemalloc.start()
    try:
        upload = await receive(
            f"multipart/form-data; boundary={boundary}",
            _multipart(size, boundary),
            store.staging,
            64 * 1024 * 1024,
        )
        assert upload.file is not None
        await store.put("documents/big", upload.file.path, PDF)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert upload.fields == {"kind": "permit"}
    assert upload.file.size == size
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes while streaming {size}"
    stored = store.path_of("documents/big")
    assert stored.stat().st_size == size
    digest = hashlib.sha256()
    with stored.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    assert upload.file.sha256 == digest.hexdigest()


async def test_an_upload_in_progress_holds_no_database_connection(
    intake_database: str, issuer: TestIssuer, tmp_path: Path
) -> None:
    """The access check's session is closed before the body is read: a slow client does not
    keep a connection of the pool."""
    settings = IntakeSettings(
        document_store_url=(tmp_path / "store").as_uri(),
        database_url=intake_database,
        migrate_on_start=False,
        relay_events=False,
    )
    app = create_app(settings, verifier=issuer.verifier_factory())
    a = Org(issuer)
    held: list[int] = []

    async def slowly() -> AsyncIterator[bytes]:
        async for chunk in _multipart(3 * 1024 * 1024, "slow"):
            held.append(app.state.engine.pool.checkedout())
            yield chunk

    async with serve(app) as client:
        url = f"/api/v1/beneficiaries/{(await register(client, a))['id']}"
        answer = await client.post(
            f"{url}/documents",
            content=slowly(),
            headers={**a.operator, "Content-Type": "multipart/form-data; boundary=slow"},
        )
    assert answer.status_code == 201, answer.text
    assert len(held) > 10
    assert set(held[1:]) == {0}, held  # from the first chunk the handler reads, none held


async def test_a_commit_that_fails_leaves_no_bytes_in_the_store(
    intake: httpx.AsyncClient,
    orgs: tuple[Org, Org, Org],
    document_root: Path,
    intake_database: str,
) -> None:
    """The bytes are stored before the transaction commits; a commit refused by the database
    (here a deferred check, standing for a lost connection or a conflict found at commit) is a
    5xx and takes the bytes with it."""
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    await sql(
        intake_database,
        "CREATE FUNCTION refuse_document() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$",
    )
    await sql(
        intake_database,
        "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON document "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_document()",
    )
    try:
        answer = await _upload(intake, url, a.operator)
        assert answer.status_code >= 500, answer.text
    finally:
        await sql(intake_database, "DROP TRIGGER refuse_at_commit ON document")
        await sql(intake_database, "DROP FUNCTION refuse_document()")
    assert (await sql(intake_database, "SELECT count(*) AS n FROM document"))[0]["n"] == 0
    assert _stored(document_root) == set()
    answer = await _upload(intake, url, a.operator)  # and the next upload works
    assert answer.status_code == 201, answer.text
    assert len(_stored(document_root)) == 1


def test_every_kind_of_document_has_a_default_section() -> None:
    assert set(DEFAULT_SECTION) == set(DocumentKind)
