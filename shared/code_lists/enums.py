"""Code lists made of a service's enums: the codes come from the code, the labels from a packaged
JSON document, and a list whose enum gained or lost a value fails its check (and so the unit
tests) instead of showing an operator a bare code.

The document (``code_lists/labels.json`` in the service) holds, by list name, the list's
``description`` and ``source`` and, by code, its ``labels`` (and optional ``descriptions``) in the
five languages::

    {"pathway-stages": {"description": "...", "source": "...",
                        "items": {"assess": {"labels": {"en": "Assessment", "it": ...}}}}}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

from shared.code_lists.model import CodeList, CodeListError, validate

# Fields of an entry that a per-code function adds from the code (a rank, a flag, targets).
Details = Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True)
class EnumList:
    """One list: its codes in display order (an enum, a ``Literal``'s values, a tuple of codes)
    and what else each entry carries."""

    codes: Callable[[], Iterable[str]]
    details: Details | None = field(default=None)


def read_document(package: str, filename: str = "labels.json") -> dict[str, Any]:
    """The labels document of ``package`` (one read per process: callers cache)."""
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    document = json.loads(text)
    if not isinstance(document, dict):
        raise CodeListError(f"{package}/{filename}: expected a JSON object")
    return document


def enum_code_list(name: str, document: Mapping[str, Any], spec: EnumList) -> CodeList:
    """The checked list ``name``: one entry per code, in the enum's order, with its labels."""
    section = document.get(name)
    if not isinstance(section, dict):
        raise CodeListError(f"{name}: no labels for this list")
    labelled = section.get("items")
    if not isinstance(labelled, dict):
        raise CodeListError(f"{name}: expected its items by code")
    codes = [str(code) for code in spec.codes()]
    missing = [code for code in codes if code not in labelled]
    unknown = [code for code in labelled if code not in codes]
    if missing or unknown:
        raise CodeListError(
            f"{name}: the labels do not match the codes; without labels: {missing or 'none'}, "
            f"labelled but no code: {unknown or 'none'}"
        )
    entries = []
    for code in codes:
        localised = labelled[code]
        if not isinstance(localised, dict):
            raise CodeListError(f"{name}/{code}: expected an object")
        details = dict(spec.details(code)) if spec.details else {}
        entries.append(MappingProxyType({"code": code, **details, **localised}))
    code_list = CodeList(
        name=name,
        description=_text(section, "description", name),
        source=_text(section, "source", name),
        entries=tuple(entries),
    )
    validate(code_list)
    return code_list


def _text(section: Mapping[str, Any], key: str, name: str) -> str:
    value = section.get(key)
    if not isinstance(value, str) or not value:
        raise CodeListError(f"{name}: {key!r} is missing")
    return value
