"""Emergency access ("break the glass"): the legal bases an organisation may invoke to open a
person's record without their consent, and the smallest set of sections each one needs.

Opening a record without consent is lawful only on a basis other than consent (GDPR art. 6(1)(d)
vital interests, (e) a task in the public interest; for special-category data art. 9(2)(c) vital
interests of a person who cannot consent, (g) substantial public interest laid down in law), and
only for what that basis needs (art. 5(1)(c) data minimisation). So each reason code names its
legal basis, the sections it opens by default (``needs``) and the most a request may ask for
(``allows``). Which organisations may invoke which codes is the platform admin's decision, kept
by the gateway. Pure rules: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.intake.domain.enums import Section
from shared.contracts.intake import EmergencyReason

DURATION = timedelta(hours=24)
# Rows opened before reasons were coded: they opened every section, on an unrecorded basis. Never
# accepted in a request, never entitled.
LEGACY_UNSPECIFIED = "legacy_unspecified"

S = Section


@dataclass(frozen=True)
class LegalBasis:
    code: EmergencyReason
    basis: str
    needs: frozenset[Section]
    allows: frozenset[Section]


BASES: dict[EmergencyReason, LegalBasis] = {
    basis.code: basis
    for basis in (
        LegalBasis(
            EmergencyReason.MEDICAL_EMERGENCY,
            "GDPR art. 6(1)(d) and 9(2)(c): the vital interests of a person physically or "
            "legally unable to consent (unconscious, in a hospital's emergency room). Who they "
            "are and whom to call; their languages if the ward asks.",
            frozenset({S.IDENTITY, S.CONTACT}),
            frozenset({S.IDENTITY, S.CONTACT, S.PROFILE}),
        ),
        LegalBasis(
            EmergencyReason.MISSING_PERSON,
            "GDPR art. 6(1)(d) and 9(2)(c): the vital interests of a person reported missing. "
            "Who they are and where they can be reached, nothing of their case.",
            frozenset({S.IDENTITY, S.CONTACT}),
            frozenset({S.IDENTITY, S.CONTACT}),
        ),
        LegalBasis(
            EmergencyReason.TRAFFICKING_PROTECTION,
            "GDPR art. 6(1)(d) and (e), 9(2)(c) and (g); Directive 2011/36/EU art. 11 (as "
            "amended by Directive (EU) 2024/1712): assistance and protection of a presumed "
            "victim of trafficking or forced labour. Who they are, how to reach them, and the "
            "pathway, where the rights checks and forced-labour indicators are.",
            frozenset({S.IDENTITY, S.CONTACT, S.PATHWAY}),
            frozenset({S.IDENTITY, S.CONTACT, S.PROFILE, S.PATHWAY}),
        ),
        LegalBasis(
            EmergencyReason.CHILD_PROTECTION,
            "GDPR art. 6(1)(d) and (e), 9(2)(c) and (g); UN Convention on the Rights of the "
            "Child art. 3 and 19: protection of a child (an unaccompanied minor) at risk. Who "
            "they are, how to reach them, and the profile (age, legal status, vulnerability).",
            frozenset({S.IDENTITY, S.CONTACT, S.PROFILE}),
            frozenset({S.IDENTITY, S.CONTACT, S.PROFILE, S.PATHWAY}),
        ),
    )
}


class SectionsBeyondReason(ValueError):
    """The request asked for sections its reason does not allow."""

    def __init__(self, beyond: frozenset[Section]) -> None:
        super().__init__(", ".join(sorted(beyond)))
        self.beyond = beyond


def may_invoke(code: EmergencyReason, entitled: Iterable[str]) -> bool:
    """Whether an organisation entitled to ``entitled`` may invoke ``code``."""
    return code.value in set(entitled)


def sections_for(code: EmergencyReason, requested: Iterable[Section] | None) -> frozenset[Section]:
    """What an emergency access with ``code`` opens: the sections requested, all within what the
    reason allows, or by default the ones it needs."""
    basis = BASES[code]
    if requested is None:
        return basis.needs
    asked = frozenset(requested)
    beyond = asked - basis.allows
    if beyond:
        raise SectionsBeyondReason(beyond)
    return asked


class EmergencyAccessStatus(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    CLOSED = "closed"


def status_of(
    expires_at: datetime, closed_at: datetime | None, now: datetime
) -> EmergencyAccessStatus:
    if closed_at is not None:
        return EmergencyAccessStatus.CLOSED
    return EmergencyAccessStatus.OPEN if expires_at > now else EmergencyAccessStatus.EXPIRED
