"""The GDPR export's document (``GET /api/v1/beneficiaries/{id}/export``), as sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ExportPart(BaseModel):
    service: str = Field(description="`intake`, `pathways`, `matching` or `gateway`")
    status: str = Field(description="`included`, or why the service's part is missing")
    items: dict[str, int] = Field(description="how many records of each kind it contributed")


class BeneficiaryExport(BaseModel):
    beneficiary_id: str
    generated_at: datetime
    complete: bool = Field(description="every service's part is included")
    manifest: list[ExportPart]
    data: dict[str, dict[str, Any] | None] = Field(
        description="each service's part by its name: its records of the person as it holds "
        "them (rows of its own tables, whose columns are that service's and change with it), by "
        "kind (`intake`: record, consents, history, access_log, emergency_accesses, notes, "
        "documents, transfers, merged_records, ...); null for a service that was unavailable"
    )
