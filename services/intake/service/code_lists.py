"""The code lists as the API serves them: pre-serialised bodies and their tags, in the language
asked for (the lists themselves: the ``code_lists`` package)."""

from __future__ import annotations

from dataclasses import dataclass

from services.intake.code_lists import Language, UnknownCodeList, list_names, negotiate
from services.intake.code_lists.render import code_list_etag, code_list_json, index_json
from services.intake.errors import CodeListNotFound

__all__ = ["Rendered", "index_json", "rendered"]


@dataclass(frozen=True)
class Rendered:
    payload: bytes
    etag: str
    language: Language


def rendered(
    name: str, lang: Language | None, accept_language: str | None, all_labels: bool
) -> Rendered:
    """One list, labelled in ``lang``, else in the first supported language of
    ``accept_language``, else in English; 404 for a name the index does not hold."""
    language = lang or negotiate(accept_language)
    try:
        payload = code_list_json(name, language, all_labels)
    except UnknownCodeList:
        raise CodeListNotFound(list(list_names())) from None
    return Rendered(payload, code_list_etag(name, language, all_labels), language)
