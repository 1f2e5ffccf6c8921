"""Which service answers which public path (the contract table of architecture.md)."""

from __future__ import annotations

import re
from typing import Final

# The code lists each service owns besides intake's (``<service>/code_lists/``): one public path,
# ``/api/v1/code-lists/{name}``, forwarded by name; any other name goes to intake, which answers
# 404 for one no service has. The index, ``/api/v1/code-lists``, is the gateway's own
# (``api/code_lists.py``). A test keeps these names equal to the services' lists.
CODE_LISTS: Final[dict[str, tuple[str, ...]]] = {
    "pathways": (
        "pathway-stages",
        "pathway-statuses",
        "pathway-attention-reasons",
        "need-severities",
        "action-types",
        "action-statuses",
        "recognition-steps",
        "recognition-decisions",
        "recognition-procedures",
        "employment-statuses",
        "contract-types",
        "nace-sections",
        "pathway-outcomes",
        "rights-check-items",
        "rights-check-answers",
        "escalation-targets",
        "appointment-attendances",
        "appointment-attendance-reasons",
        "task-kinds",
        "task-statuses",
        "funds",
        "eligibility-evidence",
        "integration-answers",
        "feedback-sources",
        "business-milestones",
        "ladder-directions",
        "internship-outcomes",
    ),
    "matching": (
        "offer-types",
        "offer-statuses",
        "pay-periods",
        "pay-kinds",
        "match-criteria",
        "referral-statuses",
        "referral-reason-codes",
        "referral-person-responses",
        "cluster-statuses",
        "cluster-member-roles",
        "commitment-kinds",
        "service-point-kinds",
        "service-point-tiers",
        "service-point-access-modes",
        "service-point-statuses",
        "territory-schemes",
        "territory-profile-kinds",
    ),
}


def _code_lists_of(service: str) -> str:
    names = "|".join(re.escape(name) for name in CODE_LISTS[service])
    return rf"^/api/v1/code-lists/({names})/?$"


# Longest, most specific first: a person's matches live in matching, the rest of them in intake.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), service)
    for pattern, service in (
        (r"^/api/v1/beneficiaries/[^/]+/matches/?$", "matching"),
        (r"^/api/v1/beneficiaries/[^/]+/skill-readings/?$", "matching"),
        (r"^/api/v1/beneficiaries/[^/]+/territorial-context/?$", "matching"),
        (_code_lists_of("pathways"), "pathways"),
        (_code_lists_of("matching"), "matching"),
        (r"^/api/v1/code-lists/.", "intake"),
        (r"^/api/v1/(beneficiaries|transfers|jobs|notes)(/|$)", "intake"),
        (r"^/api/v1/reports/referrals/?$", "matching"),
        (r"^/api/v1/reports/engagement/?$", "matching"),
        (r"^/api/v1/(pathways|reports|appointments|tasks|projects)(/|$)", "pathways"),
        (r"^/api/v1/(offers|referrals|allocations|taxonomy|territories)(/|$)", "matching"),
        (r"^/api/v1/clusters(/|$)", "matching"),
        (r"^/api/v1/service-points(/|$)", "matching"),
        # The self-service app's own record: each part from the service that owns it.
        (r"^/api/v1/me/(profile|consents|emergency-accesses)(/|$)", "intake"),
        (r"^/api/v1/me/(pathways|appointments)(/|$)", "pathways"),
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
