"""The priority need: of a person's needs, the one that conditions all the others.

The training behind the method (domain.md, "The individual pathway") insists that needs are
"multiple and interconnected" and that the assessment must single out the one that conditions
the rest, often documents or housing: no contract without a permit, no permit renewal without an
address. The rule here makes that proposal explainable, so the operator can accept it or choose
another with a reason:

0. under signs of exploitation (intake's ILO forced-labour indicators on the person's record, or
   rights violations still open on the pathway), ``documents_legal`` comes first when it was
   assessed: legal protection (the escalations, documents an employer keeps, a permit that lets a
   worker leave) conditions every other need; when it was not assessed, the reason says so;
1. the need that conditions the most other *assessed* needs wins, counting through chains (if
   documents condition housing and housing conditions employment, documents condition two);
2. ties go to the more severe need (critical > high > medium > low);
3. remaining ties follow the documented order of the intake code list ``need-domains``
   (``PRIORITY_ORDER``); domains outside it come last, alphabetically, so the result never depends
   on the order the needs were entered in.

Conditions naming a need that was not assessed, and a need conditioning itself, are ignored by the
ranking and reported by ``check_needs``; cycles (A conditions B, B conditions A) are counted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

# The intake code list ``need-domains``, in its ``priority_order``.
PRIORITY_ORDER: tuple[str, ...] = (
    "documents_legal",
    "housing",
    "health",
    "language",
    "income",
    "employment",
    "training",
    "childcare",
    "transport",
    "digital_skills",
)
NEED_DOMAINS = frozenset(PRIORITY_ORDER)

Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}


@dataclass(frozen=True)
class AssessedNeed:
    """One need found by an assessment. ``conditions`` lists the domains this need stands in the
    way of (documents_legal conditions employment and housing)."""

    domain: str
    severity: Severity
    conditions: tuple[str, ...] = ()


# The need that protects a person from exploitation (legal aid, documents, the escalations).
PROTECTING_NEED = "documents_legal"


@dataclass(frozen=True)
class Exploitation:
    """Signs of exploitation that weigh on the proposal: intake's ILO forced-labour indicators on
    the person's record, and the rights violations still open on the pathway."""

    forced_labour_indicators: bool = False
    open_violations: int = 0

    def __bool__(self) -> bool:
        return self.forced_labour_indicators or self.open_violations > 0

    def words(self) -> str:
        signs = []
        if self.forced_labour_indicators:
            signs.append("intake recorded ILO forced-labour indicators")
        if self.open_violations:
            signs.append(f"{self.open_violations} rights violation(s) still open")
        return " and ".join(signs)


NO_SIGNS = Exploitation()
# Intake's vulnerability level of a record with ILO forced-labour indicators (and only then).
FORCED_LABOUR_LEVEL = "critical"


def urgent(forced_labour_indicators: bool, forced_labour_violations_open: bool) -> bool:
    """A pathway is urgent while forced labour is signalled: intake's ILO indicators on the
    person's record, or a forced-labour violation still open on the pathway."""
    return forced_labour_indicators or forced_labour_violations_open


@dataclass(frozen=True)
class Proposal:
    """The proposed priority need (``None`` when nothing was assessed), why, and every need with
    a short reason, best first."""

    domain: str | None
    reason: str
    ranking: list[tuple[str, str]]


def check_needs(needs: Sequence[AssessedNeed]) -> list[str]:
    """Problems with an assessment's needs, in plain English; an empty list when it is sound."""
    problems: list[str] = []
    assessed = {need.domain for need in needs}
    seen: set[str] = set()
    for need in needs:
        if need.domain not in NEED_DOMAINS:
            problems.append(f"'{need.domain}' is not a need domain")
        if need.domain in seen:
            problems.append(f"'{need.domain}' is assessed more than once")
        seen.add(need.domain)
        if need.severity not in SEVERITY_RANK:
            problems.append(
                f"'{need.domain}' has severity '{need.severity}', not one of "
                + ", ".join(SEVERITY_RANK)
            )
        for other in need.conditions:
            if other == need.domain:
                problems.append(f"'{need.domain}' cannot condition itself")
            elif other not in assessed:
                problems.append(
                    f"'{need.domain}' conditions '{other}', which was not assessed as a need"
                )
    return problems


def conditioned(needs: Sequence[AssessedNeed]) -> dict[str, frozenset[str]]:
    """For each assessed domain, every other assessed domain it conditions, directly or through a
    chain. A walk with a visited set, so cycles end; a need never counts itself."""
    assessed = {need.domain for need in needs}
    direct: dict[str, set[str]] = {need.domain: set() for need in needs}
    for need in needs:
        direct[need.domain].update(other for other in need.conditions if other in assessed)
    reach: dict[str, frozenset[str]] = {}
    for start in direct:
        seen: set[str] = set()
        stack = list(direct[start])
        while stack:
            domain = stack.pop()
            if domain in seen:
                continue
            seen.add(domain)
            stack.extend(direct[domain] - seen)
        seen.discard(start)
        reach[start] = frozenset(seen)
    return reach


def _order(domain: str) -> tuple[int, str]:
    if domain in NEED_DOMAINS:
        return (PRIORITY_ORDER.index(domain), "")
    return (len(PRIORITY_ORDER), domain)


def _count(domains: frozenset[str]) -> str:
    if not domains:
        return "conditions no other need"
    noun = "need" if len(domains) == 1 else "needs"
    return f"conditions {len(domains)} other {noun} ({', '.join(sorted(domains))})"


def _why_first(best: AssessedNeed, runner: AssessedNeed, reach: dict[str, frozenset[str]]) -> str:
    """Why ``best`` comes before ``runner``, naming the first rule that separates them."""
    best_count, runner_count = len(reach[best.domain]), len(reach[runner.domain])
    if best_count > runner_count:
        return f", more than any other need (next: {runner.domain}, {runner_count})."
    if best_count == 0:
        tie = f"; neither does {runner.domain}"
    else:
        tie = f"; {runner.domain} also conditions {runner_count}"
    if best.severity != runner.severity:
        return (
            f"{tie}, but {best.domain} is more severe ({best.severity} against {runner.severity})."
        )
    return (
        f"{tie}, with the same severity ({best.severity}), so the documented order decides: "
        f"{best.domain} comes before {runner.domain}."
    )


def propose_priority(
    needs: Sequence[AssessedNeed], exploitation: Exploitation = NO_SIGNS
) -> Proposal:
    """The priority need by the rules of this module's docstring, explained in words and numbers.

    Raises ``ValueError`` when a domain is assessed twice (its severity and conditions would be
    ambiguous); validate with ``check_needs`` first to answer with every problem at once.
    """
    domains = [need.domain for need in needs]
    if len(set(domains)) != len(domains):
        raise ValueError("a domain is assessed more than once: " + "; ".join(check_needs(needs)))
    if not needs:
        return Proposal(domain=None, reason="No needs were assessed.", ranking=[])
    reach = conditioned(needs)
    protected = bool(exploitation) and any(need.domain == PROTECTING_NEED for need in needs)
    ranked = sorted(
        needs,
        key=lambda need: (
            not (protected and need.domain == PROTECTING_NEED),
            -len(reach[need.domain]),
            -SEVERITY_RANK[need.severity],
            _order(need.domain),
        ),
    )
    ranking = [
        (need.domain, f"{_count(reach[need.domain])}; severity {need.severity}") for need in ranked
    ]
    best = ranked[0]
    reason = f"{best.domain} {_count(reach[best.domain])}"
    if len(ranked) == 1:
        reason += f"; it is the only need assessed (severity {best.severity})."
    elif protected:
        reason = (
            f"{best.domain} comes first under signs of exploitation ({exploitation.words()}): "
            f"legal protection comes before every other need (by the assessment it "
            f"{_count(reach[best.domain])})."
        )
    else:
        reason += _why_first(best, ranked[1], reach)
    if exploitation and not protected:
        reason += (
            f" Signs of exploitation ({exploitation.words()}), but {PROTECTING_NEED} was not "
            "assessed: consider it."
        )
    return Proposal(domain=best.domain, reason=reason, ranking=ranking)
