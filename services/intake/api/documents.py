"""A person's documents (``/documents``): upload (a multipart form, streamed to the file store),
list, metadata, download (streamed), delete. The upload reads the request body itself, chunk by
chunk, so it never holds the file in memory; its ``Idempotency-Key`` is therefore honoured here,
with the file's SHA-256 standing for the body."""

from __future__ import annotations

import json
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.background import BackgroundTask

from services.intake.api.deps import DocumentScanner, DocumentStore, Settings
from services.intake.db.models import idempotency
from services.intake.domain.documents import extension_of
from services.intake.errors import UploadRefused
from services.intake.schemas.document import UPLOAD_BODY, DocumentFields, DocumentRead
from services.intake.service import document_scans
from services.intake.service import documents as service
from services.intake.storage.upload import FILE_FIELD, receive
from shared import idempotency as keys
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.errors import FieldError, UnprocessableContent
from shared.idempotency_routes import KEY_DESCRIPTION, replay
from shared.openapi import problems
from shared.pagination import CursorParam, Limit, Page, page_of

router = APIRouter(prefix="/api/v1/beneficiaries/{beneficiary_id}", tags=["documents"])


@router.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentRead,
    responses=problems(403, 404, 413, 415, 422),
    openapi_extra=UPLOAD_BODY,
    summary="Upload a document of the person (the registering organisation)",
    description="A `multipart/form-data` form: `file` (one file) and the fields `kind`, "
    '`section`, `expires_on`, `supports` (a JSON object `{"type", "id"}`). The file\'s type '
    "is decided by its bytes (PDF, PNG, JPEG, TIFF, WebP, HEIC, ODT, DOCX), never by its name: "
    "anything else, an executable renamed `.pdf` included, is a 415. Larger than the limit "
    "(`PONTE_INTAKE_DOCUMENT_MAX_BYTES`, 64 MiB by default) is a 413. Where a malware scan is "
    "configured the document is `pending_scan` until it is found clean (then `available`); "
    "one found infected is `quarantined` and its bytes deleted. `section` decides who "
    "else reads it, as a note's. Organisations the person shared with read documents but do "
    "not upload them (403).",
)
async def upload_document(
    beneficiary_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    store: DocumentStore,
    scanner: DocumentScanner,
    settings: Settings,
    key: Annotated[str | None, Header(alias=keys.KEY_HEADER, description=KEY_DESCRIPTION)] = None,
) -> Response:
    key = keys.valid_key(key)
    # Checked before the body is read, in a session of its own that is closed before it: a slow
    # upload must not hold a database connection (the request's session opens one afterwards).
    async with request.app.state.read_sessions() as check:
        await service.writable(check, principal, beneficiary_id)
    upload = await receive(
        request.headers.get("content-type", ""),
        request.stream(),
        store.staging,
        settings.document_max_bytes,
    )
    try:
        if upload.file is None:
            raise UploadRefused("The form has no file (a part named file).", FILE_FIELD)
        fields = _fields(upload.fields)
        caller = keys.caller_of(principal)
        if key is not None:
            stored = await keys.begin(
                session,
                idempotency,
                caller=caller,
                key=key,
                request_hash=keys.fingerprint(
                    json.dumps(
                        {"fields": upload.fields, "sha256": upload.file.sha256},
                        sort_keys=True,
                    ).encode(),
                    method="POST",
                    target=request.url.path,
                ),
            )
            if stored is not None:
                return replay(stored)
        document = await service.add(
            session,
            principal,
            beneficiary_id,
            fields,
            upload.file,
            store,
            scanned=scanner is not None,
        )
    finally:
        upload.discard()  # a no-op once the store took it
    location = f"/api/v1/beneficiaries/{document.beneficiary_id}/documents/{document.id}"
    body = service.as_read(document).model_dump_json().encode()
    if key is not None:
        await keys.finish(
            session,
            idempotency,
            caller=caller,
            key=key,
            status_code=201,
            body=body,
            location=location,
            headers={"content-type": "application/json"},
            resource_id=document.beneficiary_id,
        )
    # Committed here rather than after the handler, so that a commit that fails takes the bytes
    # with it: nothing in the store that no row names.
    try:
        await session.commit()
    except BaseException:
        await store.delete(document.storage_key)
        raise
    # Scanned once the answer is out, so after the commit (the sweep retries what this misses).
    scan = (
        BackgroundTask(
            document_scans.scan_one, request.app.state.sessions, store, scanner, document.id
        )
        if scanner is not None
        else None
    )
    return Response(
        body, 201, media_type="application/json", headers={"Location": location}, background=scan
    )


def _fields(form: dict[str, str]) -> DocumentFields:
    values: dict[str, object] = {name: value for name, value in form.items() if value != ""}
    if "supports" in values:
        try:
            values["supports"] = json.loads(str(values["supports"]))
        except ValueError:
            raise UploadRefused("supports is a JSON object {type, id}.", "supports") from None
    try:
        return DocumentFields.model_validate(values)
    except ValidationError as error:
        raise UnprocessableContent(
            "The form's fields are not valid.",
            errors=[
                FieldError(
                    field="body." + ".".join(str(part) for part in problem["loc"]),
                    message=problem["msg"],
                    code=problem["type"],
                )
                for problem in error.errors()
            ],
        ) from None


@router.get(
    "/documents",
    response_model=Page[DocumentRead],
    responses=problems(404),
    summary="The person's documents the caller may read, newest first (metadata)",
    description="The registering organisation reads every document; an organisation the "
    "person shared with, those of the sections it was granted. Each read is in the access log.",
)
async def list_documents(
    beneficiary_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[DocumentRead]:
    found = await service.listed(session, principal, beneficiary_id, cursor, limit)
    return page_of(found, limit, lambda item: (item.created_at, item.id), service.as_read)


@router.get(
    "/documents/{document_id}",
    response_model=DocumentRead,
    responses=problems(404),
    summary="One document's metadata",
)
async def read_document(
    beneficiary_id: uuid.UUID,
    document_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
) -> DocumentRead:
    return service.as_read(await service.one(session, principal, beneficiary_id, document_id))


@router.get(
    "/documents/{document_id}/content",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The bytes, with the type they were found to be",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        },
        **problems(404, 409),
    },
    summary="Download a document (streamed); every download is in the access log",
    description="Only an `available` document: one waiting for its malware scan or quarantined "
    "answers 409. `ETag` is the SHA-256 of the bytes.",
)
async def download_document(
    beneficiary_id: uuid.UUID,
    document_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    store: DocumentStore,
) -> StreamingResponse:
    document, chunks = await service.content(session, principal, beneficiary_id, document_id, store)
    name = document.filename.rsplit(".", 1)[0] + extension_of(document.content_type)
    return StreamingResponse(
        chunks,
        media_type=document.content_type,
        headers={
            "Content-Length": str(document.size_bytes),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "ETag": f'"{document.sha256}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.delete(
    "/documents/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404),
    summary="Delete a document: its metadata and its bytes (the registering organisation)",
)
async def delete_document(
    beneficiary_id: uuid.UUID,
    document_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    store: DocumentStore,
) -> Response:
    await service.delete(session, principal, beneficiary_id, document_id, store)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
