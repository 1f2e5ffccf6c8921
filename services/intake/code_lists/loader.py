"""Code lists as data: read once from the package, checked, and kept for the process lifetime.

Curated lists live in ``data/<name>.json``; ``countries`` and ``languages`` are built from
pycountry (see :mod:`.iso`). Everything is checked when first loaded, so a missing translation or
a duplicated code fails the unit tests instead of reaching an operator's screen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from services.intake.code_lists import iso
from services.intake.code_lists.i18n import LANGUAGES

# Fields holding one text per language, and the name each takes once a language is chosen.
LOCALISED_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "labels": "label",
        "descriptions": "description",
        "notes": "note",
        "band_labels": "band_label",
        "group_labels": "group_label",
    }
)

CURATED: Final[tuple[str, ...]] = (
    "cefr-levels",
    "language-skills",
    "isced-levels",
    "need-domains",
    "permit-types",
    "ilo-forced-labour-indicators",
    "recognition-statuses",
    "sexes",
    "organization-types",
)
GENERATED: Final[tuple[str, ...]] = ("countries", "languages")

Entry = Mapping[str, Any]


class CodeListError(ValueError):
    """A packaged data file is malformed: a bug in the data, never the caller's fault."""


class UnknownCodeList(KeyError):
    """No code list has the requested name."""


@dataclass(frozen=True, slots=True)
class CodeList:
    name: str
    description: str
    source: str
    entries: tuple[Entry, ...]

    def codes(self) -> tuple[str, ...]:
        return tuple(str(entry["code"]) for entry in self.entries)


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


def validate(code_list: CodeList) -> None:
    """Unique non-empty codes; every localised field complete in all five languages."""
    seen: set[str] = set()
    for entry in code_list.entries:
        code = entry.get("code")
        where = f"{code_list.name}/{code}"
        if not isinstance(code, str) or not code:
            raise CodeListError(f"{code_list.name}: an entry has no code")
        if code in seen:
            raise CodeListError(f"{where}: duplicated code")
        seen.add(code)
        if "labels" not in entry:
            raise CodeListError(f"{where}: no labels")
        for field in LOCALISED_FIELDS:
            value = entry.get(field)
            if value is None and field != "labels":
                continue
            _check_localised(value, f"{where}.{field}")
        for field in ("label", *LOCALISED_FIELDS.values()):
            if field in entry:
                raise CodeListError(f"{where}: {field!r} is reserved for the localised output")


def _check_localised(value: object, where: str) -> None:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise CodeListError(f"{where}: needs exactly the languages {', '.join(LANGUAGES)}")
    for language, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise CodeListError(f"{where}.{language}: empty")


def _text(document: Mapping[str, Any], key: str, name: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value:
        raise CodeListError(f"{name}.json: {key!r} is missing")
    return value
