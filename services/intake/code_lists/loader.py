"""Code lists as data: read once from the package, checked, and kept for the process lifetime.

Curated lists live in ``data/<name>.json``; ``countries`` and ``languages`` are built from
pycountry (see :mod:`.iso`). Everything is checked when first loaded, so a missing translation or
a duplicated code fails the unit tests instead of reaching an operator's screen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from services.intake.code_lists import iso
from shared.code_lists.model import (
    LOCALISED_FIELDS,
    CodeList,
    CodeListError,
    Entry,
    UnknownCodeList,
    validate,
)

__all__ = [
    "CURATED",
    "GENERATED",
    "LOCALISED_FIELDS",
    "CodeList",
    "CodeListError",
    "Entry",
    "UnknownCodeList",
    "get_code_list",
    "list_names",
    "read_data",
    "validate",
]

CURATED: Final[tuple[str, ...]] = (
    "cefr-levels",
    "language-skills",
    "isced-levels",
    "isced-fields",
    "need-domains",
    "permit-types",
    "ilo-forced-labour-indicators",
    "recognition-statuses",
    "sexes",
    "organization-types",
    "document-kinds",
    "document-statuses",
    "document-supports",
    "transfer-statuses",
    "batch-modes",
    "batch-item-statuses",
    "job-statuses",
)
GENERATED: Final[tuple[str, ...]] = ("countries", "languages")


def read_data(filename: str) -> dict[str, Any]:
    """One JSON document from ``data/``; the only I/O of the package."""
    data = resources.files("services.intake.code_lists").joinpath("data", filename)
    text = data.read_text(encoding="utf-8")
    document = json.loads(text)
    if not isinstance(document, dict):
        raise CodeListError(f"{filename}: expected a JSON object")
    return document


def list_names() -> tuple[str, ...]:
    """Every list, in the order the index shows them: identity first, then the rest."""
    return GENERATED + CURATED


@cache
def get_code_list(name: str) -> CodeList:
    """The checked list called ``name``; raises :class:`UnknownCodeList` for any other name."""
    if name not in list_names():
        raise UnknownCodeList(name)
    document = read_data(f"{name}.json")
    entries: object
    if name == "countries":
        entries = iso.countries(document)
    elif name == "languages":
        entries = iso.languages(document)
    else:
        entries = document.get("items")
    if not isinstance(entries, list):
        raise CodeListError(f"{name}: expected a list of items")
    code_list = CodeList(
        name=_text(document, "name", name),
        description=_text(document, "description", name),
        source=_text(document, "source", name).format(pycountry_version=iso.pycountry_version()),
        entries=tuple(MappingProxyType(entry) for entry in entries),
    )
    if code_list.name != name:
        raise CodeListError(f"{name}.json declares the name {code_list.name!r}")
    validate(code_list)
    return code_list


def _text(document: Mapping[str, Any], key: str, name: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value:
        raise CodeListError(f"{name}.json: {key!r} is missing")
    return value
