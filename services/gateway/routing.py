"""Which service answers which public path (the contract table of architecture.md)."""

from __future__ import annotations

import re

# Longest, most specific first: a person's matches live in matching, the rest of them in intake.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), service)
    for pattern, service in (
        (r"^/api/v1/beneficiaries/[^/]+/matches/?$", "matching"),
        (r"^/api/v1/(code-lists|beneficiaries)(/|$)", "intake"),
        (r"^/api/v1/(pathways|reports)(/|$)", "pathways"),
        (r"^/api/v1/(offers|referrals|allocations|taxonomy)(/|$)", "matching"),
    )
)


def service_for(path: str) -> str | None:
    """The service behind ``path``, or None when the gateway answers it itself."""
    if not path.startswith("/api/v1/"):
        return None
    for pattern, service in _PATTERNS:
        if pattern.match(path):
            return service
    return None
