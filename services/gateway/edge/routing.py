"""Which service answers which public path (the contract table of architecture.md)."""

from __future__ import annotations

import re

# Longest, most specific first: a person's matches live in matching, the rest of them in intake.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), service)
    for pattern, service in (
        (r"^/api/v1/beneficiaries/[^/]+/matches/?$", "matching"),
        (r"^/api/v1/beneficiaries/[^/]+/territorial-context/?$", "matching"),
        (r"^/api/v1/(code-lists|beneficiaries)(/|$)", "intake"),
        (r"^/api/v1/(pathways|reports)(/|$)", "pathways"),
        (r"^/api/v1/(offers|referrals|allocations|taxonomy|territories)(/|$)", "matching"),
        (r"^/api/v1/clusters(/|$)", "matching"),
        (r"^/api/v1/service-points(/|$)", "matching"),
        # The self-service app's own record: each part from the service that owns it.
        (r"^/api/v1/me/(profile|consents|emergency-accesses)(/|$)", "intake"),
        (r"^/api/v1/me/pathways(/|$)", "pathways"),
        (r"^/api/v1/me/referrals(/|$)", "matching"),
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


# What a person's own token (role beneficiary) may reach through the proxy: their own views and
# reference data. Everything else answers 404 at the edge, whatever the services would say: one
# central rule, so a new operator route cannot leak to people by a missed check.
_BENEFICIARY_PATHS = re.compile(r"^/api/v1/(me/|code-lists(/|$)|taxonomy/|territories(/|$))")


def beneficiary_may(method: str, path: str) -> bool:
    if not _BENEFICIARY_PATHS.match(path):
        return False
    return path.startswith("/api/v1/me/") or method in ("GET", "HEAD")
