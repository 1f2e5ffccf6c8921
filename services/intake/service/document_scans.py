"""The malware scan of uploaded documents, when one is configured
(``PONTE_INTAKE_DOCUMENT_SCAN_URL``, clamd): a document is ``pending_scan`` from its upload until
clamd calls it clean (then ``available``) or finds something (then ``quarantined``, its bytes
deleted; the metadata stays so the operator sees what happened). Only an available document is
downloaded.

Each upload is scanned right after its answer is sent; a sweep scans again what is still pending
(clamd was down, the process stopped), oldest first. Scans act for no caller: they read the
document by id in their own sessions, and change nothing but its status.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.clients.clamd import ClamdClient, ScanUnavailable
from services.intake.db import documents
from services.intake.domain.documents import DocumentStatus
from services.intake.storage import FileStore, StoredFileMissing
from shared.logging import get_logger

Sessions = async_sessionmaker[AsyncSession]
_log = get_logger("ponte.intake.document_scans")
_PENDING = DocumentStatus.PENDING_SCAN.value


async def scan_one(
    sessions: Sessions, store: FileStore, scanner: ClamdClient, document_id: uuid.UUID
) -> DocumentStatus | None:
    """Scan one pending document; its new status, or None when it stays as it was."""
    async with sessions() as session:
        document = await documents.get(session, document_id)
        key = document.storage_key if document and document.status == _PENDING else None
    if key is None:
        return None
    try:
        verdict = await scanner.scan(await store.open(key))
    except (ScanUnavailable, StoredFileMissing) as error:
        _log.warning("document_scan_failed", document_id=str(document_id), error=str(error))
        return None
    status = DocumentStatus.AVAILABLE if verdict.clean else DocumentStatus.QUARANTINED
    async with sessions() as session, session.begin():
        changed = await documents.settle(session, document_id, _PENDING, status.value)
    if changed is None:
        return None
    if not verdict.clean:
        _log.warning(
            "document_quarantined", document_id=str(document_id), signature=verdict.signature
        )
        await store.delete(changed)  # never served again: the bytes go
    return status


async def scan_pending(
    sessions: Sessions, store: FileStore, scanner: ClamdClient, *, limit: int = 50
) -> int:
    """Scan the oldest pending documents; how many were settled."""
    async with sessions() as session:
        waiting = await documents.pending_ids(session, _PENDING, limit)
    settled = 0
    for document_id in waiting:
        settled += await scan_one(sessions, store, scanner, document_id) is not None
    return settled


async def sweep_forever(
    sessions: Sessions, store: FileStore, scanner: ClamdClient, every_seconds: float
) -> None:
    while True:
        try:
            await scan_pending(sessions, store, scanner)
        except Exception as error:  # keep sweeping later; never take the service down
            _log.error("document_sweep_error", error=type(error).__name__)
        await asyncio.sleep(every_seconds)
