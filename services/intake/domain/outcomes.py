"""What an outcome recorded in a pathway does to the profile (pure: the document in, the
document out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_LANGUAGES = 20  # the profile's own limit (schemas.profile)


def with_certified_language(
    profile: Mapping[str, Any], code: str, level: str, certificate: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The profile with ``level`` as the person's verified level in ``code``, backed by
    ``certificate``: the language's entry updated (a certificate outranks a declared level,
    higher or lower), or added. None when it cannot be added (the profile already lists as many
    languages as it may)."""
    languages = [dict(language) for language in profile.get("languages") or ()]
    for language in languages:
        if language.get("code") == code:
            language.update(level=level, verified=True, certificate=dict(certificate))
            break
    else:
        if len(languages) >= MAX_LANGUAGES:
            return None
        languages.append(
            {"code": code, "level": level, "native": False, "verified": True,
             "certificate": dict(certificate)}
        )  # fmt: skip
    return {**profile, "languages": languages}
