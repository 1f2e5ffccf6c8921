"""The five label languages of every code list, and how a request picks one.

Ponte's pilot runs in Italy, Spain, France, Cyprus and Greece, so every code list carries labels in
English, Italian, Spanish, French and Greek; English is the fallback because it is the working
language of the cluster.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, Literal, get_args

from shared.i18n import accepted_tags

Language = Literal["en", "it", "es", "fr", "el"]

LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "en"


def as_language(tag: str) -> Language | None:
    """``"it-IT"`` -> ``"it"``; ``None`` when the primary subtag is not one we label in."""
    primary = tag.strip().split("-", 1)[0].split("_", 1)[0].lower()
    for language in LANGUAGES:
        if primary == language:
            return language
    return None


@lru_cache(maxsize=256)  # a handful of distinct headers per deployment, parsed once each
def negotiate(accept_language: str | None) -> Language:
    """The supported language the client prefers most (RFC 9110 q-values), else English.

    Ranges with ``q=0`` are refused, malformed q-values count as refused too, and ``*`` adds
    nothing because English is already the answer when nothing else matches. Ties keep the order
    of the header, as browsers list their preference first.
    """
    for tag in accepted_tags(accept_language):
        language = as_language(tag)
        if language is not None:
            return language
    return DEFAULT_LANGUAGE
