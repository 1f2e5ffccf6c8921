"""A person's documents: uploaded and deleted by the registering organisation, read and
downloaded by it and by the organisations the person shared the document's section with (the
rule of case notes, ``domain/notes.py``). The bytes are in the file store; what they are is
decided from them (``domain/documents.py``), never from the name."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import AsyncIterator, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import documents, records
from services.intake.db.models import Beneficiary, StoredDocument
from services.intake.domain import access
from services.intake.domain.documents import (
    ACCEPTED,
    DEFAULT_SECTION,
    DocumentKind,
    DocumentStatus,
    content_type_of,
)
from services.intake.domain.enums import Section
from services.intake.domain.notes import readable_sections
from services.intake.errors import (
    DocumentNotDownloadable,
    DocumentNotFound,
    DocumentWriteForbidden,
    UnsupportedDocument,
    UploadRefused,
)
from services.intake.schemas.document import DocumentFields, DocumentRead, Supports
from services.intake.service import beneficiaries as beneficiaries_service
from services.intake.service import events
from services.intake.storage import FileStore, StoredFileMissing
from services.intake.storage.upload import StagedFile
from shared import clock
from shared.auth import Principal
from shared.logging import get_logger

PREFIX = "/api/v1/beneficiaries/{beneficiary_id}/documents"
LIST_PURPOSE = f"GET {PREFIX}"
READ_PURPOSE = f"GET {PREFIX}/{{document_id}}"
CONTENT_PURPOSE = f"GET {PREFIX}/{{document_id}}/content"
_log = get_logger("ponte.intake.documents")


async def writable(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, *, lock: bool = False
) -> Beneficiary:
    """The person, when the caller may add documents: checked before the upload is read (and
    again, locked, before it is stored)."""
    row, _ = await beneficiaries_service.seen(session, principal, beneficiary_id, lock=lock)
    if not access.may_change(principal, row.organization_id):
        raise DocumentWriteForbidden
    return row


def display_name(filename: str) -> str:
    """The client's file name without a path, control or format characters (bidirectional
    overrides included: a name must not display as another), at most 255 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    return name.strip()[:255] or "document"


async def add(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    fields: DocumentFields,
    staged: StagedFile,
    store: FileStore,
    *,
    scanned: bool = False,
) -> StoredDocument:
    """Keep a staged upload: its type told by its bytes (415 for any other), its metadata
    written and its bytes moved into the store, in the request's transaction. ``scanned``: a
    malware scan is configured, and the document waits for it (``pending_scan``)."""
    if staged.size == 0:
        raise UploadRefused("The file is empty.", "file")
    content_type = content_type_of(staged.head)
    if content_type is None:
        raise UnsupportedDocument(ACCEPTED)
    row = await writable(session, principal, beneficiary_id, lock=True)
    document_id = uuid.uuid4()
    document = StoredDocument(
        id=document_id,
        beneficiary_id=row.id,
        kind=fields.kind.value,
        section=(fields.section or DEFAULT_SECTION[fields.kind]).value,
        status=(DocumentStatus.PENDING_SCAN if scanned else DocumentStatus.AVAILABLE).value,
        filename=display_name(staged.filename),
        content_type=content_type,
        size_bytes=staged.size,
        sha256=staged.sha256,
        storage_key=f"documents/{document_id}",
        expires_on=fields.expires_on,
        supports_type=fields.supports.type.value if fields.supports else None,
        supports_id=fields.supports.id if fields.supports else None,
        uploaded_by=principal.subject,
        organization_id=principal.organization_id,
        created_at=clock.now(),
    )
    await documents.add(session, document)
    if document.expires_on is not None:  # pathways reminds of it (a task)
        await events.document_changed(session, document)
    # Last: a failure above leaves nothing in the store (and the router deletes the bytes when
    # the commit fails).
    await store.put(document.storage_key, staged.path, content_type)
    return document


async def listed(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> Sequence[StoredDocument]:
    row, view = await beneficiaries_service.seen(session, principal, beneficiary_id)
    found = await documents.page(session, row.id, readable_sections(view), cursor, limit)
    await records.log_access(
        session, principal, [row.id], action="read", purpose=LIST_PURPOSE, emergency=view.emergency
    )
    return found


async def one(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, document_id: uuid.UUID
) -> StoredDocument:
    row, view = await beneficiaries_service.seen(session, principal, beneficiary_id)
    document = await documents.one(session, row.id, readable_sections(view), document_id)
    if document is None:
        raise DocumentNotFound
    await records.log_access(
        session, principal, [row.id], action="read", purpose=READ_PURPOSE, emergency=view.emergency
    )
    return document


async def content(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    document_id: uuid.UUID,
    store: FileStore,
) -> tuple[StoredDocument, AsyncIterator[bytes]]:
    """The document and its bytes, opened; the download is in the access log (committed before
    the first byte is sent)."""
    row, view = await beneficiaries_service.seen(session, principal, beneficiary_id)
    document = await documents.one(session, row.id, readable_sections(view), document_id)
    if document is None:
        raise DocumentNotFound
    if document.status != DocumentStatus.AVAILABLE:
        raise DocumentNotDownloadable(document.status)
    try:
        chunks = await store.open(document.storage_key)
    except StoredFileMissing:
        _log.error("document_bytes_missing", document_id=str(document.id))
        raise DocumentNotFound from None
    await records.log_access(
        session,
        principal,
        [row.id],
        action="download",
        purpose=CONTENT_PURPOSE,
        emergency=view.emergency,
    )
    return document, chunks


async def delete(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    document_id: uuid.UUID,
    store: FileStore,
) -> None:
    """The row and the bytes go. The bytes first-and-for-good: if the commit then fails, the
    client's retry finds the row and deletes it (a missing file is no error)."""
    row, view = await beneficiaries_service.seen(session, principal, beneficiary_id, lock=True)
    document = await documents.one(session, row.id, readable_sections(view), document_id)
    if document is None:
        raise DocumentNotFound
    if not access.may_change(principal, row.organization_id):
        raise DocumentWriteForbidden
    await documents.remove(session, document)
    if document.expires_on is not None:
        await events.document_changed(session, document, deleted=True)
    await store.delete(document.storage_key)


def as_read(document: StoredDocument) -> DocumentRead:
    supports = (
        Supports.model_validate({"type": document.supports_type, "id": document.supports_id})
        if document.supports_type is not None
        else None
    )
    return DocumentRead(
        id=document.id,
        beneficiary_id=document.beneficiary_id,
        kind=DocumentKind(document.kind),
        section=Section(document.section),
        status=DocumentStatus(document.status),
        filename=document.filename,
        content_type=document.content_type,
        size_bytes=document.size_bytes,
        sha256=document.sha256,
        expires_on=document.expires_on,
        supports=supports,
        uploaded_by=document.uploaded_by,
        organization_id=document.organization_id,
        created_at=document.created_at,
        content_url=f"/api/v1/beneficiaries/{document.beneficiary_id}/documents/"
        f"{document.id}/content",
    )
