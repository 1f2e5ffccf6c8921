"""What matching answers the services about territories over its internal API (version 1):
matching owns the NUTS regions and LAU municipalities; intake and the gateway store a territory
code beside a free-text place name and check it here, and resolve names to codes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# The shape of a territory code (matching's ``domain/territories.CODE_PATTERN``): a NUTS code
# (``ITI43``) or ``<country>_<LAU code>`` (``IT_058091``). Whether it exists, matching says.
TerritoryCode = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Z]{2}(?:[A-Z0-9]{1,3}|_[A-Za-z0-9][A-Za-z0-9_.\-]{0,31})?$", max_length=40
    ),
]
CHECK_PATH = "/internal/territories/check"
RESOLVE_PATH = "/internal/territories/resolve"
MAX_ITEMS = 1000


class _Contract(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CodesCheck(_Contract):
    """``POST /internal/territories/check``."""

    codes: list[Annotated[str, StringConstraints(max_length=40)]] = Field(max_length=MAX_ITEMS)


class KnownCodes(_Contract):
    """Those of the codes asked that name a territory."""

    known: list[str]


class NamesResolve(_Contract):
    """``POST /internal/territories/resolve``: free-text municipality names."""

    names: list[Annotated[str, StringConstraints(max_length=200)]] = Field(max_length=MAX_ITEMS)


class Candidate(_Contract):
    code: str
    name_latin: str
    parent_code: str | None


class Resolution(_Contract):
    """Each name asked: the code of the one LAU with that name (case and accents aside), or null
    (no LAU has it, or several: ``candidates`` lists them)."""

    codes: dict[str, str | None]
    candidates: dict[str, list[Candidate]] = {}
