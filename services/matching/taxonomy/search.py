"""The language of a label search (``GET /api/v1/taxonomy/skills`` and ``/occupations``); the
search itself, one SQL statement, is ``db/taxonomy_search.py``."""

from __future__ import annotations

from collections.abc import Collection

from services.matching.domain.esco import DEFAULT_LANGUAGE
from shared.i18n import accepted_tags

__all__ = ["DEFAULT_LANGUAGE", "negotiate"]


def negotiate(accept_language: str | None, available: Collection[str]) -> str:
    """The language of ``available`` the client prefers most (RFC 9110 q-values; ``it-IT``
    also matches ``it``), else English."""
    for tag in accepted_tags(accept_language):
        for candidate in (tag, tag.split("-")[0]):
            if candidate in available:
                return candidate
    return DEFAULT_LANGUAGE
