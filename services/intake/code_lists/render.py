"""Intake's code lists as response bodies, serialised once per (list, language, shape) by the
shared :class:`~shared.code_lists.Catalogue` and then reused."""

from __future__ import annotations

from typing import Final

from services.intake.code_lists.loader import get_code_list, list_names
from shared.code_lists.i18n import Language
from shared.code_lists.render import Catalogue, localised_entry, multilingual_entry

__all__ = [
    "CATALOGUE",
    "code_list_etag",
    "code_list_json",
    "index_json",
    "localised_entry",
    "multilingual_entry",
]

CATALOGUE: Final = Catalogue("intake", list_names(), get_code_list)


def code_list_json(name: str, language: Language, all_labels: bool) -> bytes:
    """Serialised ``CodeListRead``; raises ``UnknownCodeList`` (never cached) for a bad name."""
    return CATALOGUE.code_list_json(name, language, all_labels)


def code_list_etag(name: str, language: Language, all_labels: bool) -> str:
    return CATALOGUE.code_list_etag(name, language, all_labels)


def index_json() -> bytes:
    """The ``CodeListIndex`` document of intake's lists."""
    return CATALOGUE.index_json()
