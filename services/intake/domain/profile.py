"""Rules about one person's record: the checks that span fields, and the derived fields the server
computes and explains (age, time since arrival, vulnerability). Pure: no I/O, no clock (``today`` is
passed in)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

MIN_AGE, MAX_AGE = 14, 100
RECENT_ARRIVAL_YEARS = 5  # domain.md: arrived within 5 years = among the most disadvantaged
HOST_LANGUAGES = frozenset({"it", "es", "fr", "el"})  # the pilot countries' languages
WORKING_LEVELS = frozenset({"A2", "B1", "B2", "C1", "C2"})
PERMIT_EXPIRY_WARNING_DAYS = 60


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


def as_date(value: object) -> date | None:
    """Dates arrive as ``date`` from request models and as ISO strings from stored documents."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def age_on(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def check_dates(record: Mapping[str, Any], today: date) -> list[FieldProblem]:
    """Date rules a single field cannot express; ``record`` is the whole record after the change."""
    problems: list[FieldProblem] = []
    birth = as_date(record.get("birth_date"))
    arrival = as_date(record.get("arrival_date"))
    if birth is not None:
        if birth > today:
            problems.append(FieldProblem("birth_date", "is in the future"))
        elif not MIN_AGE <= age_on(birth, today) <= MAX_AGE:
            problems.append(
                FieldProblem("birth_date", f"gives an age outside {MIN_AGE}-{MAX_AGE} years")
            )
    if arrival is not None:
        if arrival > today:
            problems.append(FieldProblem("arrival_date", "is in the future"))
        elif birth is not None and arrival < birth:
            problems.append(FieldProblem("arrival_date", "is before the birth date"))
    legal = record.get("legal_status") or {}
    expires = as_date(legal.get("permit_expires_on"))
    if expires is not None and not date(1990, 1, 1) <= expires <= today + timedelta(days=366 * 20):
        problems.append(
            FieldProblem("legal_status.permit_expires_on", "is not a plausible expiry date")
        )
    for index, qualification in enumerate(record.get("qualifications") or ()):
        year = qualification.get("year")
        if year is not None and (year > today.year or (birth is not None and year < birth.year)):
            problems.append(
                FieldProblem(f"qualifications.{index}.year", "is not between birth and today")
            )
    return problems


@dataclass(frozen=True)
class Vulnerability:
    level: str
    reasons: list[str]


def _speaks_a_host_language(languages: Sequence[Mapping[str, Any]]) -> bool:
    return any(
        language.get("code") in HOST_LANGUAGES
        and (language.get("native") or language.get("level") in WORKING_LEVELS)
        for language in languages
    )


def assess_vulnerability(
    record: Mapping[str, Any], today: date, permit_allows_work: bool | None
) -> Vulnerability:
    """A level and the reasons behind it. Any ILO forced-labour indicator makes it critical: it
    calls for action, not a score. Otherwise each signal adds weight: 5 or more is high, 3 medium.
    """
    signals = record.get("vulnerability") or {}
    indicators = list(signals.get("forced_labour_indicators") or ())
    if indicators:
        return Vulnerability(
            "critical",
            [f"ILO forced-labour indicator: {indicator}" for indicator in indicators],
        )
    weighted: list[tuple[int, str]] = []
    if signals.get("homeless"):
        weighted.append((3, "homeless"))
    if signals.get("informal_work"):
        weighted.append((2, "works informally"))
    if signals.get("unaccompanied_minor_on_arrival"):
        weighted.append((1, "arrived as an unaccompanied minor"))
    arrival = as_date(record.get("arrival_date"))
    if arrival is not None:
        years = (today - arrival).days / 365.25
        if years < 1:
            weighted.append((2, "arrived less than a year ago"))
        elif years < RECENT_ARRIVAL_YEARS:
            weighted.append((1, f"arrived {years:.1f} years ago (less than 5)"))
    legal = record.get("legal_status") or {}
    expires = as_date(legal.get("permit_expires_on"))
    if legal.get("permit_type") in (None, "none"):
        weighted.append((2, "no residence permit recorded"))
    elif expires is not None and expires < today:
        weighted.append((2, "residence permit expired"))
    elif expires is not None and expires <= today + timedelta(days=PERMIT_EXPIRY_WARNING_DAYS):
        weighted.append((1, f"residence permit expires within {PERMIT_EXPIRY_WARNING_DAYS} days"))
    if permit_allows_work is False:
        weighted.append((1, "permit does not allow work"))
    if not _speaks_a_host_language(record.get("languages") or ()):
        weighted.append((1, "no working level (A2+) in a host-country language"))
    needs = record.get("needs") or ()
    if len(needs) >= 4:
        weighted.append((1, f"{len(needs)} interconnected needs"))
    total = sum(weight for weight, _ in weighted)
    level = "high" if total >= 5 else "medium" if total >= 3 else "low"
    return Vulnerability(level, [reason for _, reason in weighted])


def derive(
    record: Mapping[str, Any], today: date, permit_allows_work: bool | None
) -> dict[str, Any]:
    """The ``derived`` block of a record as the API shows it."""
    birth = as_date(record.get("birth_date"))
    arrival = as_date(record.get("arrival_date"))
    years = round((today - arrival).days / 365.25, 1) if arrival else None
    vulnerability = assess_vulnerability(record, today, permit_allows_work)
    return {
        "age": age_on(birth, today) if birth else None,
        "years_since_arrival": years,
        "recent_arrival": years < RECENT_ARRIVAL_YEARS if years is not None else None,
        "vulnerability_level": vulnerability.level,
        "vulnerability_reasons": vulnerability.reasons,
    }
