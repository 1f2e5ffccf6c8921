"""Document bodies: the fields of an upload (a multipart form, next to the file) and the
metadata answered for a document. The bytes are never in a JSON body."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.intake.domain.documents import DocumentKind, DocumentStatus, SupportType
from services.intake.domain.enums import Section


class Supports(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: SupportType
    id: uuid.UUID = Field(description="the consent's, recognition procedure's or rights check's id")


class DocumentFields(BaseModel):
    """The form's fields besides ``file``; ``supports`` arrives as a JSON object in its part."""

    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    section: Section | None = Field(
        default=None,
        description="who besides the registering organisation may read it (the organisations "
        "the person shared this section with); by default the kind's: identity for a permit "
        "and a signed consent, profile for diplomas and other documents, pathway for payslips "
        "and contracts",
    )
    expires_on: date | None = Field(default=None, description="a permit's expiry date")
    supports: Supports | None = Field(default=None, description="what the document supports")


# The request body as the OpenAPI document shows it (the route reads the stream itself).
UPLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["file", "kind"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "the document: PDF, PNG, JPEG, TIFF, WebP, HEIC, ODT or DOCX, told "
            "by its bytes",
        },
        "kind": {"type": "string", "enum": [kind.value for kind in DocumentKind]},
        "section": {"type": "string", "enum": [section.value for section in Section]},
        "expires_on": {"type": "string", "format": "date"},
        "supports": {
            "type": "object",
            "required": ["type", "id"],
            "properties": {
                "type": {"type": "string", "enum": [value.value for value in SupportType]},
                "id": {"type": "string", "format": "uuid"},
            },
        },
    },
}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": UPLOAD_SCHEMA,
                "encoding": {"supports": {"contentType": "application/json"}},
                "example": {
                    "file": "(the file's bytes)",
                    "kind": "permit",
                    "expires_on": "2027-06-30",
                    "supports": {
                        "type": "consent",
                        "id": "5f0c7a9e-2b1d-4c3e-8f6a-9d0b1c2e3f4a",
                    },
                },
            }
        },
    }
}


class DocumentRead(BaseModel):
    id: uuid.UUID
    beneficiary_id: uuid.UUID
    kind: DocumentKind
    section: Section
    status: DocumentStatus = Field(
        description="`available` to download; `pending_scan` while the malware scan runs; "
        "`quarantined` when it found something (never downloadable)"
    )
    filename: str = Field(description="the name the file was uploaded with (for display only)")
    content_type: str = Field(description="what the bytes are, whatever the name said")
    size_bytes: int
    sha256: str = Field(description="of the bytes, hexadecimal")
    expires_on: date | None
    supports: Supports | None
    uploaded_by: str = Field(description="the user (or partner-system client) who uploaded it")
    organization_id: uuid.UUID | None
    created_at: datetime
    content_url: str = Field(description="where to download the bytes (when `available`)")
