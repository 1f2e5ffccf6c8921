"""Projects and the fund's common indicators (pure: no I/O).

The indicators are those of Regulation (EU) 2021/1147 establishing the Asylum, Migration and
Integration Fund, Annex VIII, specific objective 2 (legal migration and integration), as the
Official Journal published them (OJ L 251, 15.7.2021). Ponte computes the ones its data supports
for one project and period; the others are listed with the reason (``docs/fund-indicators.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")
REGULATION = "Regulation (EU) 2021/1147 (AMIF), Annex VIII, specific objective 2"


class Fund(StrEnum):
    AMIF = "amif"  # the Asylum, Migration and Integration Fund
    ESF_PLUS = "esf_plus"  # the European Social Fund Plus
    NATIONAL = "national"  # a national or regional programme
    OTHER = "other"


class Evidence(StrEnum):
    """What showed a participant is eligible (AMIF: a third-country national)."""

    RESIDENCE_PERMIT = "residence_permit"
    ASYLUM_DOCUMENT = "asylum_document"
    PASSPORT = "passport"
    SELF_DECLARATION = "self_declaration"
    OTHER = "other"


class HelpedIntegration(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    DO_NOT_KNOW = "do_not_know"


class FeedbackSource(StrEnum):
    OPERATOR = "operator"
    SELF_SERVICE = "self_service"


@dataclass(frozen=True)
class Indicator:
    code: str  # Ponte's stable code for it
    kind: str  # output or result
    number: str  # its number in the Annex
    name: str  # the Annex's words
    basis: str | None  # what Ponte counts; None: not supported
    not_supported_because: str | None = None

    @property
    def reference(self) -> str:
        return f"{REGULATION}, {self.kind} indicator {self.number}"


INDICATORS: tuple[Indicator, ...] = (
    Indicator("pre_departure", "output", "1", "Number of participants in pre-departure measures",
              None, "Ponte starts after arrival: it records no measure before departure"),
    Indicator("authorities_supported", "output", "2",
              "Number of local and regional authorities supported to implement integration "
              "measures", None,
              "organisations, not participants: their types live in the gateway and their "
              "support is not recorded per project"),
    Indicator("language_course", "output", "3.1",
              "Number of participants supported in an EU language course",
              "participants with a language_course action of a project organisation's pathway "
              "planned, running or ended in the period (cancelled ones do not count)"),
    Indicator("civic_orientation", "output", "3.2",
              "Number of participants supported in a civic orientation course",
              "participants with a civic_orientation action, as above"),
    Indicator("individual_guidance", "output", "3.3",
              "Number of participants who received professional individual guidance",
              "participants with a step of the loop (assessment, plan, follow-up, adjustment, "
              "rights check) recorded in the period on a project organisation's pathway"),
    Indicator("awareness_campaigns", "output", "4",
              "Number of information packages and campaigns to raise awareness of legal "
              "migration channels to the Union", None, "campaigns are not recorded in Ponte"),
    Indicator("family_reunification", "output", "5",
              "Number of participants receiving information and/or assistance to apply for "
              "family reunification", None, "no action type records family reunification yet"),
    Indicator("mobility_schemes", "output", "6",
              "Number of participants benefiting from mobility schemes", None,
              "mobility schemes are not recorded in Ponte"),
    Indicator("authority_led_projects", "output", "7",
              "Number of integration projects where local and regional authorities are the "
              "beneficiary", None, "a count of projects by the lead's type, which the gateway "
              "holds: not computed here"),
    Indicator("language_level_improved", "result", "8",
              "Number of participants in language courses who have improved their proficiency "
              "level in the host country language upon leaving the language course by at least "
              "one level in the Common European Framework of Reference for Languages or national "
              "equivalent",
              "participants counted in 3.1 whose last level recorded at a follow-up up to the "
              "period's end is at least one CEFR level above the first recorded for that "
              "language (a certified level counts as recorded)"),
    Indicator("helped_integration", "result", "9",
              "Number of participants who report that the activity was helpful for their "
              "integration",
              "participants whose answer to the feedback questionnaire in the period is `yes` "
              "(recorded by an operator or in the app)"),
    Indicator("recognition_applied", "result", "10",
              "Number of participants who applied for their qualification or skills acquired in "
              "a third country to be recognised/assessed",
              "participants with a qualification_recognition or skills_validation action "
              "submitted in the period (`recognition.submitted`)"),
    Indicator("long_term_residence_applied", "result", "11",
              "Number of participants who applied for a long-term residence status", None,
              "applications for a residence status are not recorded (only the permit held)"),
)  # fmt: skip
SUPPORTED = tuple(indicator for indicator in INDICATORS if indicator.basis is not None)


def level_rank(level: str | None) -> int | None:
    return CEFR.index(level) if level in CEFR else None


def improved_by_a_level(levels: Sequence[str]) -> bool:
    """Whether the last of a language's levels, in the order recorded, is at least one CEFR level
    above the first."""
    ranks = [rank for rank in map(level_rank, levels) if rank is not None]
    return len(ranks) >= 2 and ranks[-1] - ranks[0] >= 1


def people_improving(records: Iterable[tuple[Any, str, str]]) -> set[Any]:
    """The people with a language whose level rose by at least one CEFR level, from (person,
    language, level) records in the order they were recorded."""
    by_language: dict[tuple[Any, str], list[str]] = {}
    for person, language, level in records:
        by_language.setdefault((person, language), []).append(level)
    return {person for (person, _language), levels in by_language.items()
            if improved_by_a_level(levels)}  # fmt: skip


def check_project_dates(
    starts_on: date, ends_on: date, periods: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """Problems with a project's dates: it ends after it starts; each reporting period lies in it,
    ends after it starts, and periods do not overlap."""
    problems: list[tuple[str, str]] = []
    if ends_on < starts_on:
        problems.append(("ends_on", "is before starts_on"))
    previous: date | None = None
    for index, period in sorted(enumerate(periods), key=lambda item: item[1]["from"]):
        start, end = period["from"], period["to"]
        if end < start:
            problems.append((f"reporting_periods.{index}.to", "is before its from"))
        if start < starts_on or end > ends_on:
            problems.append((f"reporting_periods.{index}", "is not within the project's dates"))
        if previous is not None and start <= previous:
            problems.append((f"reporting_periods.{index}.from", "overlaps the period before"))
        previous = end
    return problems


def reporting_periods(stored: Iterable[Mapping[str, Any]]) -> list[dict[str, date]]:
    """A project's reporting periods as stored (ISO dates under ``from`` and ``to``), as dates."""
    return [
        {"from": date.fromisoformat(period["from"]), "to": date.fromisoformat(period["to"])}
        for period in stored
    ]


def default_period(
    starts_on: date, ends_on: date, periods: Sequence[Mapping[str, Any]], today: date
) -> tuple[date, date]:
    """The period a report covers when none is asked: the reporting period that holds today (or
    the last one that ended), else the project's dates up to today."""
    ended = [p for p in periods if p["from"] <= today]
    if ended:
        latest = max(ended, key=lambda p: p["from"])
        return latest["from"], latest["to"]
    return starts_on, max(starts_on, min(ends_on, today))


def to_csv_rows(report: Mapping[str, Any]) -> list[list[str]]:
    """`indicator,number,kind,breakdown,value,count` rows: every supported indicator's total and
    breakdowns, then the unsupported ones with an empty count."""
    rows = [["indicator", "number", "kind", "breakdown", "value", "count"]]
    for item in report["indicators"]:
        head = [item["code"], item["number"], item["kind"]]
        if not item["supported"]:
            rows.append([*head, "total", "", ""])
            continue
        rows.append([*head, "total", "", str(item["total"])])
        for breakdown in ("by_sex", "by_age_band", "by_arrival_band"):
            for value, count in item[breakdown].items():
                rows.append([*head, breakdown.removeprefix("by_"), value, str(count)])
    return rows
