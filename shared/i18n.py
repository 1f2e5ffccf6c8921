"""``Accept-Language`` (RFC 9110): the language ranges a client accepts, most wanted first.
Each service decides which of them it can serve."""

from __future__ import annotations

from functools import lru_cache

# A header longer than this is not a browser's: we stop reading rather than parse it all.
MAX_HEADER_LENGTH = 512


@lru_cache(maxsize=256)  # a handful of distinct headers per deployment, parsed once each
def accepted_tags(accept_language: str | None) -> tuple[str, ...]:
    """Lower-cased language tags by descending q-value, ties in header order. Ranges with
    ``q=0`` or a malformed q-value are refused; ``*`` is left out (the caller's default answers
    it)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "")[:MAX_HEADER_LENGTH].split(",")):
        tag, _, parameters = part.partition(";")
        tag = tag.strip().lower()
        quality = _quality(parameters)
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return tuple(tag for _, _, tag in sorted(ranked))


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0
