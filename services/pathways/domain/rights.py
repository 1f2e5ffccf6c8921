"""The rights checklist of the loop's last step: are the person's work and living conditions
decent, and are there signs of forced labour?

A violation is never just recorded (domain.md): each one names who must act, and the pathways
service opens an escalation action for it at once. The checklist holds the eleven ILO indicators of
forced labour (codes of the intake code list ``ilo-forced-labour-indicators``) and the rights the
training lists (contract, minimum pay, hours, safety, documents, freedom to leave, debts, health
care, housing, social security).

**One convention for every item: "yes" is the favourable answer.** Each question is phrased so that
"yes" means the right is fulfilled or the indicator is absent ("Is the person free of debt
bondage...?"), so "no" is always the violation, whatever the item; "unknown" is not a violation but
is listed so the next check asks again; "not_applicable" (no job yet, so no contract) is neither.

Who acts on a violation (``RightsItem.targets``, first the one to call first):

- pay, contract, hours, overtime, social security: trade union and labour inspectorate, the two
  that recover wages and enforce contracts;
- health and safety, abusive conditions: labour inspectorate (with the union for conditions);
- coercion (deception, abuse of vulnerability, isolation, restriction of movement, violence,
  threats, documents kept by the employer, debt bondage) and freedom to leave: the anti-trafficking
  service, which can protect the person, and legal aid;
- health care and housing: legal aid, which enforces access and tenancy rights.

Three rights mirror an ILO indicator (documents kept by the person, freedom to leave, no debt to the
employer): they are flagged ``forced_labour`` too, and ``check_answers`` reports answers that
contradict their indicator. The ILO counts one indicator as a warning and several as a likely case
of forced labour: when two or more distinct indicators are violated, every forced-labour violation
is also escalated to the anti-trafficking service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

Answer = Literal["yes", "no", "unknown", "not_applicable"]
ANSWERS: frozenset[str] = frozenset(get_args(Answer))
FAVOURABLE: Answer = "yes"
VIOLATED: Answer = "no"

# Distinct ILO indicators violated from which forced labour is likely, not only possible.
LIKELY_FORCED_LABOUR = 2


class EscalationTarget(StrEnum):
    TRADE_UNION = "trade_union"
    LABOUR_INSPECTORATE = "labour_inspectorate"
    LEGAL_AID = "legal_aid"
    ANTI_TRAFFICKING_SERVICE = "anti_trafficking_service"


@dataclass(frozen=True)
class RightsItem:
    """One checklist item. ``indicator`` is the ILO indicator the item is or mirrors (``None`` for
    a labour right that signals no coercion by itself)."""

    code: str
    question: str
    targets: tuple[EscalationTarget, ...]
    indicator: str | None = None

    @property
    def forced_labour(self) -> bool:
        return self.indicator is not None


_WORK = (EscalationTarget.TRADE_UNION, EscalationTarget.LABOUR_INSPECTORATE)
_COERCION = (EscalationTarget.ANTI_TRAFFICKING_SERVICE, EscalationTarget.LEGAL_AID)
_SAFETY = (EscalationTarget.LABOUR_INSPECTORATE,)
_CONDITIONS = (EscalationTarget.LABOUR_INSPECTORATE, EscalationTarget.TRADE_UNION)
_LEGAL = (EscalationTarget.LEGAL_AID,)


def _ilo(code: str, question: str, targets: tuple[EscalationTarget, ...]) -> RightsItem:
    return RightsItem(code, question, targets, indicator=code)


RIGHTS_ITEMS: tuple[RightsItem, ...] = (
    # The eleven ILO indicators, each asked as "free of it?"
    _ilo(
        "abuse_of_vulnerability",
        "Is the person free of abuse of vulnerability: no one uses their status, language, "
        "poverty or dependency to impose conditions they would otherwise refuse?",
        _COERCION,
    ),
    _ilo(
        "deception",
        "Is the person free of deception: were the work, pay, conditions, housing and legal "
        "status what they were promised when recruited?",
        _COERCION,
    ),
    _ilo(
        "restriction_of_movement",
        "Is the person free of restriction of movement: can they enter and leave the workplace "
        "and the accommodation freely?",
        _COERCION,
    ),
    _ilo(
        "isolation",
        "Is the person free of isolation: can they contact family, community and outside help?",
        _COERCION,
    ),
    _ilo(
        "physical_and_sexual_violence",
        "Is the person free of physical and sexual violence, for themselves and their family?",
        _COERCION,
    ),
    _ilo(
        "intimidation_and_threats",
        "Is the person free of intimidation and threats (of violence, denunciation, dismissal, "
        "loss of pay, harm to family) if they complain or leave?",
        _COERCION,
    ),
    _ilo(
        "retention_of_identity_documents",
        "Is the person free of retention of identity documents: does no employer or intermediary "
        "hold their passport, permit or other identity documents?",
        _COERCION,
    ),
    _ilo(
        "withholding_of_wages",
        "Is the person free of withholding of wages: are wages paid in full and on time?",
        _WORK,
    ),
    _ilo(
        "debt_bondage",
        "Is the person free of debt bondage: are they not working off a debt that grows or cannot "
        "be repaid?",
        _COERCION,
    ),
    _ilo(
        "abusive_working_and_living_conditions",
        "Is the person free of abusive working and living conditions (degrading, hazardous, "
        "unhealthy work or overcrowded, unsanitary housing from the employer)?",
        _CONDITIONS,
    ),
    _ilo(
        "excessive_overtime",
        "Is the person free of excessive overtime: hours within legal limits, days off, and "
        "overtime they may refuse?",
        _WORK,
    ),
    # The rights of the training's checklist.
    RightsItem("written_contract", "Does the person have a written employment contract?", _WORK),
    RightsItem(
        "minimum_pay",
        "Is the person paid at least the legal or collectively agreed minimum wage?",
        _WORK,
    ),
    RightsItem(
        "working_hours",
        "Are the working hours those of the contract, and within the legal limits?",
        _WORK,
    ),
    RightsItem(
        "health_and_safety",
        "Is the workplace safe, with the protective equipment and training the work requires?",
        _SAFETY,
    ),
    RightsItem(
        "documents_kept_by_person",
        "Does the person keep their own identity and residence documents?",
        _COERCION,
        indicator="retention_of_identity_documents",
    ),
    RightsItem(
        "freedom_to_leave",
        "Is the person free to leave the job and the accommodation without penalty?",
        _COERCION,
        indicator="restriction_of_movement",
    ),
    RightsItem(
        "no_debt_to_employer",
        "Is the person free of debts to the employer or to an intermediary (recruitment, travel, "
        "housing, advances)?",
        _COERCION,
        indicator="debt_bondage",
    ),
    RightsItem(
        "access_to_health_care",
        "Does the person have access to health care (registered with a doctor or the health "
        "service, or knows where to go)?",
        _LEGAL,
    ),
    RightsItem(
        "housing_conditions",
        "Does the person live in safe, sanitary and not overcrowded housing?",
        _LEGAL,
    ),
    RightsItem(
        "social_security_registration",
        "Is the person registered with social security (contributions paid by the employer)?",
        _WORK,
    ),
)
ITEMS_BY_CODE: dict[str, RightsItem] = {item.code: item for item in RIGHTS_ITEMS}
ILO_INDICATORS: tuple[str, ...] = tuple(
    item.code for item in RIGHTS_ITEMS if item.indicator == item.code
)


@dataclass(frozen=True)
class Violation:
    item: str
    targets: tuple[EscalationTarget, ...]
    forced_labour: bool


@dataclass(frozen=True)
class RightsResult:
    """What one rights check found. ``urgent``: a forced-labour indicator is violated, which marks
    the pathway urgent; ``missing``: items not answered; ``unknown``: items answered "unknown"."""

    violations: list[Violation]
    urgent: bool
    missing: list[str]
    unknown: list[str]


def evaluate(answers: Mapping[str, str]) -> RightsResult:
    """The violations of a checklist, in checklist order, each with who must act on it.

    Codes that are no item are ignored here (``check_answers`` reports them).
    """
    violated = [item for item in RIGHTS_ITEMS if answers.get(item.code) == VIOLATED]
    indicators = {item.indicator for item in violated if item.indicator is not None}
    likely = len(indicators) >= LIKELY_FORCED_LABOUR
    violations = []
    for item in violated:
        targets = item.targets
        anti_trafficking = EscalationTarget.ANTI_TRAFFICKING_SERVICE
        if likely and item.forced_labour and anti_trafficking not in targets:
            targets = (*targets, anti_trafficking)
        violations.append(Violation(item.code, targets, item.forced_labour))
    return RightsResult(
        violations=violations,
        urgent=bool(indicators),
        missing=[item.code for item in RIGHTS_ITEMS if item.code not in answers],
        unknown=[item.code for item in RIGHTS_ITEMS if answers.get(item.code) == "unknown"],
    )


def check_answers(answers: Mapping[str, str]) -> list[str]:
    """Problems with a checklist, in plain English; an empty list when it can be recorded.

    Every item must be answered ("unknown" is an answer: it says the operator asked), with one of
    the four answers; a right and the ILO indicator it mirrors may not contradict each other
    (one "yes" and the other "no").
    """
    problems = [f"'{code}' is not a rights item" for code in answers if code not in ITEMS_BY_CODE]
    problems += [
        f"'{code}' has answer '{answer}', not one of yes, no, unknown, not_applicable"
        for code, answer in answers.items()
        if code in ITEMS_BY_CODE and answer not in ANSWERS
    ]
    missing = [item.code for item in RIGHTS_ITEMS if item.code not in answers]
    if missing:
        problems.append("not answered: " + ", ".join(missing))
    for item in RIGHTS_ITEMS:
        if item.indicator is None or item.indicator == item.code:
            continue
        pair = {answers.get(item.code), answers.get(item.indicator)}
        if pair == {FAVOURABLE, VIOLATED}:
            problems.append(
                f"'{item.code}' and '{item.indicator}' contradict each other: "
                "one is answered yes and the other no"
            )
    return problems


def resolves(previous_open: Iterable[str], answers: Mapping[str, str]) -> set[str]:
    """The open violations that these answers resolve: those whose item is now answered "yes".

    Only "yes" resolves. "not_applicable" does not: a person who left an employer who withheld
    wages still has wages to recover, so the escalation stays open until someone closes it.
    """
    return {code for code in previous_open if answers.get(code) == FAVOURABLE}
