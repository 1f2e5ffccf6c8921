"""Bodies of ``/api/v1/territories/{code}/profiles``: dated, sourced values of a territory's
social, socio-economic and institutional variables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.pagination import WholeCursor

Kind = Literal["social", "socio_economic", "institutional"]
VARIABLE_PATTERN = r"^[a-z][a-z0-9_]{0,79}$"
MAX_VALUES = 500

EXAMPLE: dict[str, Any] = {
    "kind": "social",
    "variable": "foreign_residents",
    "value": 523000,
    "unit": "people",
    "reference_year": 2024,
    "source": "ISTAT, resident foreign population on 1 January",
    "source_url": "https://demo.istat.it/",
}


class ProfileValueIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    kind: Kind = Field(description="social, socio_economic or institutional")
    variable: str = Field(
        pattern=VARIABLE_PATTERN,
        description="snake_case name; `foreign_residents` feeds the per-1,000 figures",
    )
    value: Decimal | str = Field(
        description="a number, or a text (a programme, a law in force) of up to 500 characters"
    )
    unit: str | None = Field(default=None, max_length=40)
    reference_year: int = Field(ge=1900, le=2100, description="the year the value describes")
    source: str = Field(min_length=1, max_length=300, description="who published it (required)")
    source_url: str | None = Field(default=None, max_length=500)


class ProfileValueRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**EXAMPLE, "id": "…", "created_at": "2026-11-20T10:15:00+00:00"}]
        }
    )

    id: str
    kind: Kind
    variable: str
    value: float | str
    unit: str | None
    reference_year: int
    source: str
    source_url: str | None
    created_at: str


class ProfileCreated(BaseModel):
    items: list[ProfileValueRead] = Field(description="the values stored, in the order sent")


class TerritoryProfileRead(BaseModel):
    territory: str = Field(description="the territory's code")
    items: list[ProfileValueRead] = Field(
        description="the latest value of each variable (every value with `all=true`), by variable"
    )
    next_cursor: WholeCursor = None
    computed: dict[str, Any] = Field(
        description="what Ponte derives from its own data for the territory and all under it: "
        "service points per kind (and per 1,000 foreign residents), median minutes from the "
        "nearest transport hub, open offers and seats by type, people and need domains assessed "
        '(counts of 1 to 4 as "<5")'
    )
