"""The pieces every report shares, as its OpenAPI describes them: the period, a protected count,
a published cross-table (``shared.crosstab.published``). Reports are written as JSON directly
(``shared.responses.json_or_csv``); these models document what is sent, and the reports' tests
validate their answers against them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Count = Annotated[
    int | str,
    Field(
        description='a count, or "<5" (1 to 4, protected) or "withheld" (hidden so that no '
        "small cell can be worked out)"
    ),
]


class ReportPeriod(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", description="the period's first day")
    to: date = Field(description="its last day")


class TableCell(BaseModel):
    """One cell: each dimension's level (named by the dimension, `total` for a margin), and its
    count."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str | None]

    count: Count


class PublishedTable(BaseModel):
    levels: dict[str, list[str | None]] = Field(description="each dimension's levels, in order")
    cells: list[TableCell] = Field(description="inner cells first, then the margins")
