"""Who may see and change a person's record: the object-level rule of architecture.md.

A record is visible to the organisation that registered it and to the organisations the person
consented to share with (only the sections consented to), or that opened it in an emergency (only
the sections its legal basis opened); to no one else. Platform admins manage organisations, not
people: they see none, whatever other roles they hold (``Principal.acts_as``). Pure rules over the
principal; the repository turns them into queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.intake.domain.enums import Section
from shared.auth import INTEGRATION_ROLES, Principal, PrincipalKind, Role

ALL_SECTIONS = frozenset(Section)
# The intake record's fields by section; "pathway" is enforced by the pathways service.
FIELDS_BY_SECTION: dict[Section, frozenset[str]] = {
    Section.IDENTITY: frozenset(
        {
            "given_name",
            "family_name",
            "birth_date",
            "sex",
            "nationality",
            "stateless",
            "country_of_birth",
            "external_id",
        }
    ),
    Section.CONTACT: frozenset({"contact", "municipality", "territory_code"}),
    Section.PROFILE: frozenset(
        {
            "arrival_date",
            "legal_status",
            "migration_project",
            "languages",
            "education_level",
            "education_field",
            "education_country",
            "qualifications",
            "work_experience",
            "skills",
            "needs",
            "vulnerability",
            "derived",
        }
    ),
    Section.PATHWAY: frozenset(),
}


@dataclass(frozen=True)
class Grant:
    organization_id: uuid.UUID
    sections: frozenset[str]
    expires_at: datetime | None
    emergency: bool = False

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True)
class View:
    sections: frozenset[Section]
    owner: bool
    emergency: bool

    def fields(self) -> frozenset[str]:
        return frozenset().union(*(FIELDS_BY_SECTION[section] for section in self.sections))


def works_on_cases(principal: Principal) -> bool:
    """Never a platform admin, whatever other roles it holds (``Principal.acts_as``)."""
    return principal.works_on_cases


def view_of(
    principal: Principal, owner: uuid.UUID, grants: Iterable[Grant], now: datetime
) -> View | None:
    """What ``principal`` may see of a record owned by ``owner``; None when nothing."""
    if not works_on_cases(principal):
        return None
    if principal.organization_id == owner:
        return View(ALL_SECTIONS, owner=True, emergency=False)
    mine = [g for g in grants if g.organization_id == principal.organization_id and g.active(now)]
    if not mine:
        return None
    # Each grant opens its own sections, an emergency one included (the sections its reason
    # opened, not the whole record); together, their union.
    sections = frozenset(Section(section) for grant in mine for section in grant.sections)
    return View(sections, owner=False, emergency=any(grant.emergency for grant in mine))


def is_the_person(principal: Principal, beneficiary_id: uuid.UUID) -> bool:
    """A beneficiary signed in to their own record (a mobile app): they manage their consents."""
    return Role.BENEFICIARY in principal.roles and principal.beneficiary_id == beneficiary_id


def may_change(principal: Principal, owner: uuid.UUID) -> bool:
    """Only the registering organisation changes the record (others see what was shared)."""
    return works_on_cases(principal) and principal.organization_id == owner


def may_erase_or_export(principal: Principal, owner: uuid.UUID) -> bool:
    """GDPR requests are the controller's: the owner's org admins, or its partner system."""
    return principal.organization_id == owner and principal.acts_as(*INTEGRATION_ROLES)


def may_read_access_log(principal: Principal, owner: uuid.UUID) -> bool:
    return principal.organization_id == owner and principal.acts_as(Role.ORG_ADMIN)


def may_break_glass(principal: Principal) -> bool:
    """Who may open (and close) an emergency access, whatever the person: an org admin, signed in
    as a user of an organisation. Never a client (partner system), an operator, a person, nor
    anyone holding platform_admin (who administers the platform, not people's data). Whether the
    organisation is entitled, and to which reasons, the gateway answers at the request."""
    return (
        principal.kind == PrincipalKind.USER
        and principal.acts_as(Role.ORG_ADMIN)
        and not principal.has(Role.PARTNER_SYSTEM)
    )


def may_record_outcome(
    owner: uuid.UUID, organization_id: uuid.UUID, grants: Iterable[Grant], now: datetime
) -> bool:
    """Whether an outcome recorded in an organisation's pathway (a certified language level) may
    change the person's record: the owner's, or one shared with it for pathways now (an
    emergency access opens no pathway)."""
    if organization_id == owner:
        return True
    return any(
        grant.organization_id == organization_id
        and Section.PATHWAY in grant.sections
        and grant.active(now)
        and not grant.emergency
        for grant in grants
    )
