"""Response models of the code-list endpoints; they document the bodies, which are built and
serialised once by :mod:`.render` rather than validated on every request."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.code_lists.i18n import Language
from shared.pagination import WholeCursor


class CodeListSummary(BaseModel):
    name: str = Field(description="the URL segment of the list", examples=["countries"])
    description: str
    source: str = Field(description="the standard or authority the codes come from")
    count: int = Field(description="number of entries", ge=0)
    service: str = Field(
        description="the service that owns the list and its codes", examples=["intake"]
    )


class CodeListIndex(BaseModel):
    """Every list of every service; read each at `/api/v1/code-lists/{name}`."""

    items: list[CodeListSummary]
    next_cursor: WholeCursor = None


class CodeListItem(BaseModel):
    """One entry. Lists add their own fields (``alpha_3``, ``rank``, ``allows_work``, ...), and
    ``descriptions``/``notes`` become ``description``/``note`` like ``labels`` becomes ``label``."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="stable code to store; never translated", examples=["IT"])
    label: str | None = Field(
        default=None, description="in the response language; absent with all_labels=true"
    )
    labels: dict[Language, str] | None = Field(
        default=None, description="every language; only with all_labels=true"
    )


class CodeListRead(BaseModel):
    name: str = Field(examples=["countries"])
    description: str
    source: str
    language: Language = Field(description="the language of label and other localised fields")
    items: list[CodeListItem]
    next_cursor: WholeCursor = None
