"""Code lists as response bodies, serialised once per (list, language) and then reused.

``GET /api/v1/code-lists/{name}`` is the gateway benchmark's trivial proxied call and every client
fetches the lists on start-up, so the handler should only pick cached bytes: there are at most
11 lists x 5 languages x 2 shapes, a few hundred kilobytes in all.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from services.intake.code_lists.i18n import Language
from services.intake.code_lists.loader import (
    LOCALISED_FIELDS,
    CodeList,
    Entry,
    get_code_list,
    list_names,
)
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
    }


@cache
def code_list_json(name: str, language: Language, all_labels: bool) -> bytes:
    """Serialised :func:`body`; raises ``UnknownCodeList`` (never cached) for a bad name."""
    return _dump(body(get_code_list(name), language, all_labels=all_labels))


@cache
def code_list_etag(name: str, language: Language, all_labels: bool) -> str:
    """The tag of :func:`code_list_json` (one per list, language and shape), for revalidation."""
    return content_etag(code_list_json(name, language, all_labels))


@cache
def index_json() -> bytes:
    """The ``CodeListIndex`` document: what lists exist, from where, and how long they are."""
    summaries = []
    for name in list_names():
        code_list = get_code_list(name)
        summaries.append(
            {
                "name": code_list.name,
                "description": code_list.description,
                "source": code_list.source,
                "count": len(code_list.entries),
            }
        )
    return _dump({"items": summaries})


def _dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
