"""Pages and small bodies of the intake API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.intake.domain.enums import BatchMode, ItemStatus
from services.intake.schemas.beneficiary import BeneficiaryRead, DuplicateCandidate, Tombstone
from shared.errors import ProblemDetail
from shared.pagination import WholeCursor
from shared.sync import Removed


class BeneficiaryPage(BaseModel):
    items: list[BeneficiaryRead | Tombstone]
    next_cursor: str | None
    removed: list[Removed] = Field(
        default_factory=list,
        description="in a sync (`since`): the people to drop from your copy",
    )
    watermark: str | None = Field(
        default=None,
        description="in a sync: keep it (once `next_cursor` is null) as the next sync's `since`",
    )


class DuplicateList(BaseModel):
    items: list[DuplicateCandidate]
    next_cursor: WholeCursor = None


class MergeRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"merged_id": "0b7f3f4e-3c0a-4a55-9d1e-2f1a6c1d9e21"}]},
    )

    merged_id: uuid.UUID = Field(description="the duplicate folded into this record")


class BatchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "all_or_nothing": False,
                    "items": [
                        {
                            "given_name": "Amina",
                            "family_name": "Diallo",
                            "birth_date": "1999-05-02",
                            "nationality": "GN",
                            "external_id": "caritas-1041",
                        },
                        {
                            "given_name": "Yusuf",
                            "family_name": "Haidari",
                            "birth_date": "2001-11-20",
                            "nationality": "AF",
                            "external_id": "caritas-1042",
                        },
                    ],
                }
            ]
        },
    )

    items: list[dict[str, object]] = Field(
        min_length=1,
        max_length=10_000,
        description="people to register (or, in upsert mode, to register or update), each a "
        "BeneficiaryCreate (validated one by one); more than 500: an asynchronous job",
        json_schema_extra={"items": {"$ref": "#/components/schemas/BeneficiaryCreate"}},
    )
    mode: BatchMode = Field(
        default=BatchMode.CREATE,
        description="`create`: an item whose external_id your organisation registered is a "
        "conflict; `upsert`: every item carries an external_id, and the record registered under "
        "it is updated (by PATCH's rules, with the fields the item carries) or left unchanged",
    )
    all_or_nothing: bool = Field(
        default=False,
        description="register nothing unless every item is valid (create mode, at most 500 items)",
    )

    @model_validator(mode="after")
    def _atomic_creates_only(self) -> BatchRequest:
        if self.all_or_nothing and self.mode is BatchMode.UPSERT:
            raise ValueError("all_or_nothing is for create mode")
        return self


class BatchItemResult(BaseModel):
    index: int
    status: ItemStatus
    id: uuid.UUID | None = None
    possible_duplicates: list[DuplicateCandidate] = []
    errors: list[dict[str, str]] = []
    existing_id: uuid.UUID | None = Field(
        default=None,
        description="a conflict on external_id: the person your organisation registered under it",
    )
    problem: ProblemDetail | None = Field(
        default=None, description="upsert mode, status error: why (RFC 9457, as a single call's)"
    )


class BatchResult(BaseModel):
    created: int = Field(description="people registered")
    updated: int = Field(default=0, description="upsert mode: records changed")
    unchanged: int = Field(default=0, description="upsert mode: records already as sent")
    results: list[BatchItemResult]
