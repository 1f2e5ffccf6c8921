"""What an outcome recorded in a pathway does to the profile (pure: the document in, the
document out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_LANGUAGES = 20  # the profile's own limits (schemas.beneficiary)
MAX_SKILLS = 100


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


def with_taught_skills(
    profile: Mapping[str, Any], taught: list[tuple[str, str]], source: Mapping[str, Any]
) -> tuple[dict[str, Any], int]:
    """The profile with each (uri, label) a completed training taught as a verified skill: one
    the person already lists (by its ESCO uri) becomes verified, with its source; a new one is
    added while the profile has room. The number of skills left out for want of room."""
    skills = [dict(skill) for skill in profile.get("skills") or ()]
    by_uri = {skill.get("uri"): skill for skill in skills if skill.get("uri")}
    left_out = 0
    for uri, label in taught:
        known = by_uri.get(uri)
        if known is not None:
            known.update(verified=True, source=dict(source))
        elif len(skills) < MAX_SKILLS:
            added = {"uri": uri, "label": label, "verified": True, "source": dict(source)}
            skills.append(added)
            by_uri[uri] = added
        else:
            left_out += 1
    return {**profile, "skills": skills}, left_out
