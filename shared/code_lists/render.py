"""Code lists as response bodies, serialised once per (list, language, shape) and then reused.

Every client fetches the lists on start-up and ``GET /api/v1/code-lists/{name}`` is the gateway
benchmark's trivial proxied call, so a handler only picks cached bytes: a service holds a few
dozen lists x 5 languages x 2 shapes, a few hundred kilobytes in all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from shared.code_lists.i18n import Language
from shared.code_lists.model import LOCALISED_FIELDS, CodeList, Entry, UnknownCodeList
from shared.etags import content_etag


def localised_entry(entry: Entry, language: Language) -> dict[str, Any]:
    """``labels`` -> ``label`` (and ``notes`` -> ``note``, ...) in ``language``; other fields as
    they are. ``code`` and ``label`` come first so the JSON reads well."""
    item: dict[str, Any] = {"code": entry["code"], "label": entry["labels"][language]}
    for key, value in entry.items():
        if key in ("code", "labels"):
            continue
        singular = LOCALISED_FIELDS.get(key)
        if singular is None:
            item[key] = value
        else:
            item[singular] = None if value is None else value[language]
    return item


def multilingual_entry(entry: Entry) -> dict[str, Any]:
    """The entry with every language (``?all_labels=true``), for clients that switch language."""
    item: dict[str, Any] = {"code": entry["code"], "labels": dict(entry["labels"])}
    for key, value in entry.items():
        if key not in ("code", "labels"):
            item[key] = dict(value) if isinstance(value, dict) else value
    return item


def body(code_list: CodeList, language: Language, *, all_labels: bool) -> dict[str, Any]:
    """The ``CodeListRead`` document for one list."""
    if all_labels:
        items = [multilingual_entry(entry) for entry in code_list.entries]
    else:
        items = [localised_entry(entry, language) for entry in code_list.entries]
    return {
        "name": code_list.name,
        "description": code_list.description,
        "source": code_list.source,
        "language": language,
        "items": items,
        "next_cursor": None,
    }


def dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Catalogue:
    """The lists one service serves: their names in index order, how to load one (checked; the
    loader caches), and their bodies, built on first use and kept for the process lifetime."""

    def __init__(
        self, service: str, names: tuple[str, ...], load: Callable[[str], CodeList]
    ) -> None:
        self.service = service
        self.names = names
        self._load = load
        # Per instance, not per class: ``functools.cache`` on the bound methods' functions.
        self.code_list_json = cache(self._code_list_json)
        self.code_list_etag = cache(self._code_list_etag)
        self.index_json = cache(self._index_json)

    def get(self, name: str) -> CodeList:
        """The list called ``name``; :class:`UnknownCodeList` for a name this service lacks."""
        if name not in self.names:
            raise UnknownCodeList(name)
        return self._load(name)

    def _code_list_json(self, name: str, language: Language, all_labels: bool) -> bytes:
        """Serialised :func:`body`; raises ``UnknownCodeList`` (never cached) for a bad name."""
        return dump(body(self.get(name), language, all_labels=all_labels))

    def _code_list_etag(self, name: str, language: Language, all_labels: bool) -> str:
        return content_etag(self.code_list_json(name, language, all_labels))

    def summaries(self) -> list[dict[str, Any]]:
        """The ``CodeListSummary`` of every list, in index order."""
        summaries = []
        for name in self.names:
            code_list = self.get(name)
            summaries.append(
                {
                    "name": code_list.name,
                    "description": code_list.description,
                    "source": code_list.source,
                    "count": len(code_list.entries),
                    "service": self.service,
                }
            )
        return summaries

    def _index_json(self) -> bytes:
        """The ``CodeListIndex`` document of this service's lists."""
        return dump({"items": self.summaries(), "next_cursor": None})
