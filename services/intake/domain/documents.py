"""A person's documents: their kinds, what they support, their states, and what a file is,
decided by its first bytes (never by its name or the type the client declared). Pure rules.

Who reads and writes follows the case notes (``domain/notes.py``): the registering organisation
reads, uploads and deletes; an organisation the person shared with reads (and downloads) the
documents of the sections it was granted; a provider, a beneficiary, a coordinator and the platform
admin see none.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from services.intake.domain.enums import Section


class DocumentKind(StrEnum):
    PERMIT = "permit"
    DIPLOMA = "diploma"
    DIPLOMA_TRANSLATION = "diploma_translation"
    LANGUAGE_CERTIFICATE = "language_certificate"
    SIGNED_CONSENT = "signed_consent"
    PAYSLIP = "payslip"
    CONTRACT = "contract"
    OTHER = "other"


class DocumentStatus(StrEnum):
    """``pending_scan`` until the malware scanner (when one is configured) calls it clean;
    a document is downloadable only when ``available``."""

    PENDING_SCAN = "pending_scan"
    AVAILABLE = "available"
    QUARANTINED = "quarantined"


class SupportType(StrEnum):
    """What a document supports: another record's id, kept as given (consents are intake's,
    recognition procedures and rights checks the pathways service's)."""

    CONSENT = "consent"
    RECOGNITION = "recognition"
    RIGHTS_CHECK = "rights_check"


# The section a document goes in when the upload names none: who else may read it.
DEFAULT_SECTION: Final[dict[DocumentKind, Section]] = {
    DocumentKind.PERMIT: Section.IDENTITY,
    DocumentKind.DIPLOMA: Section.PROFILE,
    DocumentKind.DIPLOMA_TRANSLATION: Section.PROFILE,
    DocumentKind.LANGUAGE_CERTIFICATE: Section.PROFILE,
    DocumentKind.SIGNED_CONSENT: Section.IDENTITY,
    DocumentKind.PAYSLIP: Section.PATHWAY,
    DocumentKind.CONTRACT: Section.PATHWAY,
    DocumentKind.OTHER: Section.PROFILE,
}

# Enough of the file to decide what it is (the longest check reads 80 bytes).
HEAD_BYTES: Final = 512
PDF, PNG, JPEG, TIFF, WEBP, HEIC = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "image/webp",
    "image/heic",
)
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED: Final = (PDF, PNG, JPEG, TIFF, WEBP, HEIC, ODT, DOCX)
_HEIF_BRANDS: Final = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"})
_ZIP: Final = b"PK\x03\x04"


def content_type_of(head: bytes) -> str | None:
    """The type of a file that starts with ``head``, among those accepted; None for any other
    (an executable, a script, an archive, whatever its name says).

    A zip is a word-processing document only when its first entry says so, as both formats
    require: ODF's ``mimetype`` (stored, uncompressed, first), and OOXML's
    ``[Content_Types].xml``, which Word and LibreOffice write first. Any other zip is refused:
    what is inside is not looked at, so it is not accepted.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    if head.startswith(_ZIP):
        return _zipped_document(head)
    return None


def _zipped_document(head: bytes) -> str | None:
    if len(head) < 30:
        return None
    name_length = int.from_bytes(head[26:28], "little")
    extra_length = int.from_bytes(head[28:30], "little")
    name = head[30 : 30 + name_length]
    if name == b"mimetype":
        content = head[30 + name_length + extra_length :]
        return ODT if content.startswith(ODT.encode()) else None
    if name == b"[Content_Types].xml":
        return DOCX
    return None


def extension_of(content_type: str) -> str:
    """The file name extension a download offers for the type (the stored name's is not
    trusted)."""
    return {
        PDF: ".pdf",
        PNG: ".png",
        JPEG: ".jpg",
        TIFF: ".tiff",
        WEBP: ".webp",
        HEIC: ".heic",
        ODT: ".odt",
        DOCX: ".docx",
    }[content_type]
