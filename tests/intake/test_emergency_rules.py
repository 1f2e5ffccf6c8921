"""The pure rules of emergency access: who may break the glass, which sections each legal basis
opens, and that the view of an emergency grant is its sections, not the whole record."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain import access
from services.intake.domain import emergency as rules
from services.intake.domain.enums import Section
from shared.auth import Principal, PrincipalKind, Role
from shared.contracts.intake import EmergencyReason

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _principal(*roles: Role, kind: PrincipalKind = PrincipalKind.USER) -> Principal:
    return Principal(
        subject="someone",
        kind=kind,
        organization_id=uuid.uuid4(),
        roles=frozenset(roles),
        issuer="test",
        expires_at=0,
    )


def test_every_reason_opens_what_it_needs_by_default_and_never_more_than_it_allows() -> None:
    assert set(rules.BASES) == set(EmergencyReason)
    subsets = [
        frozenset(combination)
        for size in range(1, len(Section) + 1)
        for combination in itertools.combinations(Section, size)
    ]
    for code, basis in rules.BASES.items():
        assert basis.needs <= basis.allows
        assert rules.sections_for(code, None) == basis.needs
        for asked in subsets:
            if asked <= basis.allows:
                assert rules.sections_for(code, asked) == asked
            else:
                with pytest.raises(rules.SectionsBeyondReason):
                    rules.sections_for(code, asked)
    # Only the trafficking basis needs the pathway (rights checks); no medical access reaches it.
    assert Section.PATHWAY in rules.BASES[EmergencyReason.TRAFFICKING_PROTECTION].needs
    assert Section.PATHWAY not in rules.BASES[EmergencyReason.MEDICAL_EMERGENCY].allows
    assert Section.PATHWAY not in rules.BASES[EmergencyReason.MISSING_PERSON].allows


def test_only_org_admins_signed_in_as_users_and_never_platform_admins() -> None:
    assert access.may_break_glass(_principal(Role.ORG_ADMIN))
    assert access.may_break_glass(_principal(Role.ORG_ADMIN, Role.OPERATOR))
    for refused in (
        _principal(Role.OPERATOR),
        _principal(Role.PARTNER_SYSTEM, kind=PrincipalKind.CLIENT),
        _principal(Role.ORG_ADMIN, kind=PrincipalKind.CLIENT),
        _principal(Role.ORG_ADMIN, Role.PLATFORM_ADMIN),
        _principal(Role.PLATFORM_ADMIN),
        _principal(Role.BENEFICIARY),
        _principal(Role.PROVIDER),
    ):
        assert not access.may_break_glass(refused), refused.roles


def test_an_emergency_grant_shows_its_sections_only() -> None:
    viewer = _principal(Role.ORG_ADMIN)
    assert viewer.organization_id is not None
    grant = access.Grant(
        viewer.organization_id,
        frozenset({"identity", "contact"}),
        NOW + timedelta(hours=1),
        emergency=True,
    )
    view = access.view_of(viewer, uuid.uuid4(), [grant], NOW)
    assert view is not None
    assert view.emergency
    assert view.sections == {Section.IDENTITY, Section.CONTACT}
    assert "languages" not in view.fields()
    assert access.view_of(viewer, uuid.uuid4(), [grant], NOW + timedelta(hours=2)) is None


def test_status_of_an_access() -> None:
    later = NOW + timedelta(hours=1)
    assert rules.status_of(later, None, NOW) == rules.EmergencyAccessStatus.OPEN
    assert rules.status_of(NOW, None, later) == rules.EmergencyAccessStatus.EXPIRED
    assert rules.status_of(later, NOW, NOW) == rules.EmergencyAccessStatus.CLOSED
