"""The five label languages and how a request picks one.

Ponte's pilot runs in Italy, Spain, France, Cyprus and Greece, so every code list carries labels in
English, Italian, Spanish, French and Greek; English is the fallback because it is the working
language of the cluster.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, Literal, get_args

Language = Literal["en", "it", "es", "fr", "el"]

LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "en"

# A header longer than this is not a browser's: we stop reading rather than parse it all.
_MAX_HEADER_LENGTH = 512


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
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, Language]] = []
    for position, part in enumerate(accept_language[:_MAX_HEADER_LENGTH].split(",")):
        tag, _, params = part.partition(";")
        language = as_language(tag)
        if language is None:
            continue
        quality = _quality(params)
        if quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0
