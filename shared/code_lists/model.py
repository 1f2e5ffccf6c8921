"""A code list as data, and the checks every list passes before a client sees it.

Each service keeps its own lists (intake: reference data from packaged JSON; pathways and matching:
the labels of their enums); what a list is, and what makes one complete, is common to all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from shared.code_lists.i18n import LANGUAGES

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

Entry = Mapping[str, Any]


class CodeListError(ValueError):
    """A packaged list is malformed: a bug in the data, never the caller's fault."""


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
            check_localised(value, f"{where}.{field}")
        for field in ("label", *LOCALISED_FIELDS.values()):
            if field in entry:
                raise CodeListError(f"{where}: {field!r} is reserved for the localised output")


def check_localised(value: object, where: str) -> None:
    """``value`` is one non-empty text for each of the five languages, and nothing else."""
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise CodeListError(f"{where}: needs exactly the languages {', '.join(LANGUAGES)}")
    for language, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise CodeListError(f"{where}.{language}: empty")
