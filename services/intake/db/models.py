"""The intake service's tables: people, their consents and access grants, the history of every
change, the log of every read, idempotency records, and the outbox of events."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import make_metadata
from shared.events import inbox_table, outbox_tables
from shared.events.outbox import CURRENT_TRANSACTION_ID
from shared.idempotency import idempotency_table

metadata = make_metadata()
outbox = outbox_tables(metadata)
inbox = inbox_table(metadata)  # outcomes of pathways that change a profile
idempotency = idempotency_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata


def _timestamp() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def _sync_xact() -> Mapped[int]:
    """Stamped by a trigger on every write (``shared.sync``); never set by the application."""
    return mapped_column(
        BigInteger,
        server_default=text(CURRENT_TRANSACTION_ID),
        comment="the last transaction that wrote the row: a sync's commit order",
    )


class Beneficiary(Base):
    """One person. Columns hold what lists filter and sort on; ``profile`` holds the rest as the
    API's JSON. Names and dates are nullable because erasure removes them; the statistical
    remainder (sex, nationality, birth and arrival years, municipality) stays for indicators."""

    __tablename__ = "beneficiary"
    __table_args__ = (
        Index("ix_beneficiary_org_updated", "organization_id", "updated_at", "id"),
        Index("ix_beneficiary_updated", "updated_at", "id"),
        Index(
            "uq_beneficiary_external_id",
            "organization_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
        ),
        Index("ix_beneficiary_search", "search_prefixes", postgresql_using="gin"),
        Index("ix_beneficiary_blocking", "blocking_keys", postgresql_using="gin"),
        Index("ix_beneficiary_needs", "needs", postgresql_using="gin"),
        Index("ix_beneficiary_org_permit", "organization_id", "permit_expires_on"),
        # Erasure and export find the records merged into a person.
        Index(
            "ix_beneficiary_merged_into",
            "merged_into",
            postgresql_where=text("merged_into IS NOT NULL"),
        ),
        # A sync (shared.sync): what the caller's organisation registered, and the rest.
        Index("ix_beneficiary_sync", "sync_xact", "id"),
        Index("ix_beneficiary_org_sync", "organization_id", "sync_xact", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16), default="active")
    merged_into: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    access_version: Mapped[int] = mapped_column(
        Integer, default=1, comment="bumped on every change of who may see the person"
    )
    external_id: Mapped[str | None] = mapped_column(String(100))

    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    sex: Mapped[str | None] = mapped_column(String(16))
    nationality: Mapped[str | None] = mapped_column(String(2))
    stateless: Mapped[bool] = mapped_column(Boolean, default=False)
    country_of_birth: Mapped[str | None] = mapped_column(String(2))
    arrival_date: Mapped[date | None] = mapped_column(Date)
    arrival_year: Mapped[int | None] = mapped_column(SmallInteger)
    municipality: Mapped[str | None] = mapped_column(String(120))
    territory_code: Mapped[str | None] = mapped_column(
        String(40), comment="residence: a territory code of matching's (NUTS or LAU)"
    )
    permit_type: Mapped[str | None] = mapped_column(String(64))
    permit_expires_on: Mapped[date | None] = mapped_column(Date)
    permit_allows_work: Mapped[bool | None]
    education_level: Mapped[str | None] = mapped_column(String(1))
    needs: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    profile: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)

    search_prefixes: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    blocking_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)

    created_at: Mapped[datetime] = _timestamp()
    updated_at: Mapped[datetime] = _timestamp()
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Written by a trigger with every write of the person, of a consent or of a grant on them.
    sync_xact: Mapped[int] = _sync_xact()
    # The owner at every write and every organisation a grant opened the record to (triggers).
    former_readers: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid),
        server_default=text("'{}'"),
        comment="every organisation that could read the person at some time (owner, former "
        "owner, grantee): whom a sync tells of an erasure or a merge",
    )


class Change(Base):
    """Who changed which field when. Values are kept for the audit trail and removed on erasure
    (the field names, actor and time stay)."""

    __tablename__ = "beneficiary_change"
    __table_args__ = (Index("ix_beneficiary_change_person", "beneficiary_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"))
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    actor: Mapped[str] = mapped_column(String(100))
    actor_organization_id: Mapped[uuid.UUID | None]
    changed_at: Mapped[datetime] = _timestamp()


class Consent(Base):
    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_person", "beneficiary_id", "granted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        comment="the organisation shared with (purpose sharing)"
    )
    sections: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    text_version: Mapped[str] = mapped_column(String(64))
    collection_method: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    granted_by: Mapped[str] = mapped_column(String(100))
    recorded_by_organization_id: Mapped[uuid.UUID]
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))


class EmergencyAccess(Base):
    """Break the glass: an org admin of an entitled organisation opens a record without consent,
    on a coded legal basis with a written reason, for 24 hours, the sections the basis needs
    (``domain/emergency.py``); one open at a time per organisation and person, closable early. The
    registering organisation and the person are told."""

    __tablename__ = "emergency_access"
    __table_args__ = (Index("ix_emergency_access_person", "beneficiary_id", "opened_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"))
    organization_id: Mapped[uuid.UUID]
    opened_by: Mapped[str] = mapped_column(String(100))
    reason_code: Mapped[str] = mapped_column(
        String(32), comment="the legal basis (legacy_unspecified: opened before codes)"
    )
    reason: Mapped[str] = mapped_column(String(2000), comment="free text; never in events")
    sections: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(100))


class AccessGrant(Base):
    """Who besides the owner may see a person, and which sections: the read model of sharing
    consents and emergency accesses that every visibility query joins. Withdrawn grants stay,
    revoked, so that a partner's sync learns it must drop its copy."""

    __tablename__ = "access_grant"
    __table_args__ = (
        Index("ix_access_grant_org", "organization_id", "beneficiary_id"),
        Index("ix_access_grant_person", "beneficiary_id"),
        # A sync's tombstones: the grants of an organisation that ended in a range of time.
        Index(
            "ix_access_grant_org_ended",
            "organization_id",
            func.least(text("revoked_at"), text("expires_at")),
        ),
        Index("ix_access_grant_org_sync", "organization_id", "sync_xact"),
        Index(
            "ix_access_grant_org_ended_xact",
            "organization_id",
            "ended_xact",
            postgresql_where=text("ended_xact IS NOT NULL"),
        ),
    )

    source_id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, comment="consent or emergency id"
    )
    source: Mapped[str] = mapped_column(String(16))
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"))
    organization_id: Mapped[uuid.UUID]
    sections: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="kept, not deleted: a sync tells the organisation to drop"
    )
    sync_xact: Mapped[int] = _sync_xact()
    ended_xact: Mapped[int | None] = mapped_column(
        BigInteger, comment="the transaction that revoked the grant (shared.sync)"
    )


class Note(Base):
    """A case note: immutable once written (a correction is a new note naming the one it
    corrects). ``section`` is the sharing section it belongs to: an organisation the person shared
    with reads the notes of the sections it was granted. The links to a pathway, an action or a
    referral are other services' ids, kept as given. Moved to the survivor by a merge, deleted by
    an erasure."""

    __tablename__ = "note"
    __table_args__ = (
        Index("ix_note_person", "beneficiary_id", "created_at", "id"),
        Index(
            "ix_note_person_pathway",
            "beneficiary_id",
            "pathway_id",
            "created_at",
            "id",
            postgresql_where=text("pathway_id IS NOT NULL"),
        ),
        Index("ix_note_corrects", "corrects", postgresql_where=text("corrects IS NOT NULL")),
        Index("ix_note_sync", "sync_xact", "id"),
        # The notes feed: a person's notes written before an access opened or narrowed.
        Index("ix_note_person_sync", "beneficiary_id", "sync_xact", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"))
    section: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(4000))
    pathway_id: Mapped[uuid.UUID | None] = mapped_column(comment="pathways' id, not checked")
    action_id: Mapped[uuid.UUID | None] = mapped_column(comment="pathways' id, not checked")
    referral_id: Mapped[uuid.UUID | None] = mapped_column(comment="matching's id, not checked")
    corrects: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("note.id"))
    author_id: Mapped[str] = mapped_column(String(100))
    author_organization_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sync_xact: Mapped[int] = _sync_xact()


class StoredDocument(Base):
    """A document of a person: its metadata here, its bytes in the file store under
    ``storage_key``. ``content_type``, ``size_bytes`` and ``sha256`` are what the bytes are, found
    while they streamed in; ``filename`` is the client's, kept for display only. ``section`` decides
    who else reads it, as a note's. Moved to the survivor by a merge; the row and the bytes go with
    a DELETE or an erasure."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_person", "beneficiary_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"))
    kind: Mapped[str] = mapped_column(String(32))
    section: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    expires_on: Mapped[date | None] = mapped_column(Date)
    supports_type: Mapped[str | None] = mapped_column(String(16))
    supports_id: Mapped[uuid.UUID | None] = mapped_column(
        comment="another record's id, not checked"
    )
    uploaded_by: Mapped[str] = mapped_column(String(100))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(comment="the uploader's")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Transfer(Base):
    """A request to move a person's case to another organisation: the receiving organisation
    accepts (the record's owner becomes it) or rejects; the sender may cancel a pending one. One
    pending request per person. ``version`` is the ETag of its PATCH."""

    __tablename__ = "transfer"
    __table_args__ = (
        Index("ix_transfer_from", "from_organization_id", "requested_at", "id"),
        Index("ix_transfer_to", "to_organization_id", "requested_at", "id"),
        Index("ix_transfer_person", "beneficiary_id"),
        Index(
            "uq_transfer_pending",
            "beneficiary_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
        # A sync tells the sender, in the run its transfer was accepted, that the person left.
        Index(
            "ix_transfer_from_sync",
            "from_organization_id",
            "sync_xact",
            postgresql_where=text("status = 'accepted'"),
        ),
        # The notes feed re-sends a received person's notes in the run the transfer was accepted.
        Index(
            "ix_transfer_to_sync",
            "to_organization_id",
            "sync_xact",
            postgresql_where=text("status = 'accepted'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"))
    from_organization_id: Mapped[uuid.UUID]
    to_organization_id: Mapped[uuid.UUID]
    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consent.id"))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(2000))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(String(2000))
    version: Mapped[int] = mapped_column(Integer, default=1)
    sync_xact: Mapped[int] = _sync_xact()


class AccessLogEntry(Base):
    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_person", "beneficiary_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    beneficiary_id: Mapped[uuid.UUID]
    actor: Mapped[str] = mapped_column(String(100))
    actor_organization_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(200), comment="the endpoint, as its route template")
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = _timestamp()


class Erasure(Base):
    """An erasure request: the event that tells the other services, to check their confirmation."""

    __tablename__ = "erasure"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[uuid.UUID]


# The self-service invitations' table, on this metadata (migrations and tests see one schema).
from services.intake.db import invitations as invitations  # noqa: E402
from services.intake.db import jobs as jobs  # noqa: E402
