"""End to end through the gateway: documents. A person registered by one NGO shares the identity
section with another and everything with a provider organisation: the other NGO lists, reads and
downloads the permit (identity) but not the diploma (profile), and uploads or deletes nothing; the
provider and the person in the app see none. A renamed executable is refused by its bytes; a 50 MB
file streams through the gateway (whose body limit for uploads is not the other routes'); every
download is in the access log; the export lists the documents and an erasure leaves no byte of
them in the store."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.beneficiary_world import ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import Organisation, bearer, organisation, signed_in_user
from tests.support import sql

pytestmark = pytest.mark.e2e

APP_PASSWORD = "a-person-chooses-a-long-phrase"
PDF = b"%PDF-1.7\n" + b"4 0 obj << /Length 44 >> stream BT /F1 12 Tf ET endstream\n" * 20
PNG = b"\x89PNG\r\n\x1a\n" + bytes(512)
EXECUTABLE = b"MZ\x90\x00" + bytes(1024)


def _share(
    client: httpx.Client, owner: Organisation, person_id: str, with_: str, sections: list[str]
) -> None:
    body = {
        "purpose": "sharing",
        "organization_id": with_,
        "sections": sections,
        "text_version": "it-2026",
        "collection_method": "paper_signed",
    }
    ok(
        client.post(
            f"/api/v1/beneficiaries/{person_id}/consents", json=body, headers=owner.operator
        )
    )


def _upload(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    content: bytes,
    filename: str = "permesso.pdf",
    **fields: Any,
) -> httpx.Response:
    form = {
        name: json.dumps(value) if isinstance(value, dict) else value
        for name, value in fields.items()
    }
    return client.post(
        f"{url}/documents",
        data=form,
        files={"file": (filename, content, "application/pdf")},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )


def _ids(client: httpx.Client, url: str, headers: dict[str, str]) -> set[str]:
    return {item["id"] for item in ok(client.get(f"{url}/documents", headers=headers))["items"]}


def _app_token(client: httpx.Client, owner: Organisation, person_id: str) -> dict[str, str]:
    url = f"/api/v1/beneficiaries/{person_id}/invitations"
    code = ok(client.post(url, headers=owner.operator))["code"]
    tokens = ok(client.post("/api/v1/auth/activate", json={"code": code, "password": APP_PASSWORD}))
    return bearer(tokens["access_token"])


def test_documents_follow_the_sections_shared(stack: Stack) -> None:
    with stack.client() as client:
        owner = organisation(client, "Documents owner")
        partner = organisation(client, "Documents partner")
        employer = organisation(client, "Documents employer", kind="employer")
        _, _, provider_token = signed_in_user(
            client, employer.admin, employer.id, "provider", "Documents provider"
        )
        provider = bearer(provider_token)
        body = {"given_name": "Kofi", "family_name": "Mensah", "birth_date": "1994-02-11"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=owner.operator))
        url = f"/api/v1/beneficiaries/{person['id']}"
        _share(client, owner, person["id"], partner.id, ["identity"])
        _share(client, owner, person["id"], employer.id, ["identity", "profile", "pathway"])

        permit = ok(
            _upload(
                client,
                url,
                owner.operator,
                PDF,
                kind="permit",
                expires_on="2027-03-31",
                supports={"type": "consent", "id": str(uuid.uuid4())},
            )
        )
        diploma = ok(_upload(client, url, owner.admin, PNG, "diploma.jpg", kind="diploma"))
        assert (permit["section"], diploma["section"]) == ("identity", "profile")
        assert diploma["content_type"] == "image/png"

        assert _ids(client, url, owner.operator) == {permit["id"], diploma["id"]}
        assert _ids(client, url, partner.operator) == {permit["id"]}
        download = client.get(permit["content_url"], headers=partner.operator)
        assert download.status_code == 200
        assert download.content == PDF
        assert download.headers["content-type"] == "application/pdf"
        for path in (f"{url}/documents/{diploma['id']}", diploma["content_url"]):
            assert client.get(path, headers=partner.operator).status_code == 404
        assert _upload(client, url, partner.operator, PDF, kind="other").status_code == 403
        refused = client.delete(f"{url}/documents/{permit['id']}", headers=partner.operator)
        assert refused.status_code == 403

        # A provider sees no record, though the person shared with its organisation; nor does
        # the person in the app read the operators' documents through this path.
        app = _app_token(client, owner, person["id"])
        for headers in (provider, app):
            for path in (f"{url}/documents", permit["content_url"]):
                assert client.get(path, headers=headers).status_code == 404
            assert _upload(client, url, headers, PDF, kind="other").status_code in (403, 404)

        log = ok(client.get(f"{url}/access-log", headers=owner.admin))["items"]
        downloads = [entry for entry in log if entry["action"] == "download"]
        assert [entry["actor_organization_id"] for entry in downloads] == [partner.id]


def test_content_decides_the_type_and_a_50_mb_file_streams_through(stack: Stack) -> None:
    with stack.client(timeout=120) as client:
        owner = organisation(client, "Documents uploads")
        body = {"given_name": "Efua", "family_name": "Boateng", "birth_date": "1999-09-09"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=owner.operator))
        url = f"/api/v1/beneficiaries/{person['id']}"

        renamed = _upload(client, url, owner.operator, EXECUTABLE, "permesso.pdf", kind="permit")
        assert renamed.status_code == 415, renamed.text
        assert renamed.headers["content-type"].startswith("application/problem+json")
        assert _ids(client, url, owner.operator) == set()

        big = b"%PDF-1.7\n" + hashlib.sha256(b"ponte").digest() * (50 * 1024 * 1024 // 32)
        created = ok(_upload(client, url, owner.operator, big, "scan.pdf", kind="contract"))
        assert created["size_bytes"] == len(big)
        assert created["sha256"] == hashlib.sha256(big).hexdigest()
        digest = hashlib.sha256()
        with client.stream("GET", created["content_url"], headers=owner.operator) as download:
            assert download.status_code == 200
            for chunk in download.iter_bytes():
                digest.update(chunk)
        assert digest.hexdigest() == created["sha256"]
        # Other routes keep their small body limit.
        huge = {"given_name": "x" * (6 * 1024 * 1024), "family_name": "Y"}
        assert (
            client.post("/api/v1/beneficiaries", json=huge, headers=owner.operator).status_code
            == 413
        )


def test_export_lists_documents_and_erasure_removes_their_bytes(stack: Stack) -> None:
    assert stack.documents is not None
    with stack.client() as client:
        owner = organisation(client, "Documents erasure")
        body = {"given_name": "Yaw", "family_name": "Asante", "birth_date": "1990-01-20"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=owner.operator))
        url = f"/api/v1/beneficiaries/{person['id']}"
        documents = [
            ok(_upload(client, url, owner.operator, PDF, kind="payslip")),
            ok(_upload(client, url, owner.operator, PNG, kind="diploma_translation")),
        ]
        stored = [stack.documents / "documents" / document["id"] for document in documents]
        assert all(path.is_file() for path in stored)

        exported = ok(client.get(f"{url}/export", headers=owner.admin))
        listed = exported["data"]["intake"]["documents"]
        assert {item["id"] for item in listed} == {document["id"] for document in documents}

        gone = ok(client.delete(f"{url}/documents/{documents[0]['id']}", headers=owner.operator))
        assert gone is None
        assert not stored[0].exists()
        assert client.delete(url, headers=owner.admin).status_code == 204
        assert not stored[1].exists()


async def test_erasure_leaves_no_document_row(stack: Stack) -> None:
    with stack.client() as client:
        owner = organisation(client, "Documents rows")
        body = {"given_name": "Ama", "family_name": "Owusu", "birth_date": "1992-05-05"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=owner.operator))
        url = f"/api/v1/beneficiaries/{person['id']}"
        ok(_upload(client, url, owner.operator, PDF, kind="permit"))
        assert client.delete(url, headers=owner.admin).status_code == 204
    rows = await sql(
        stack.databases["intake"],
        "SELECT count(*) AS n FROM document WHERE beneficiary_id = $1",
        uuid.UUID(person["id"]),
    )
    assert rows[0]["n"] == 0
