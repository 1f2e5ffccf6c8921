"""The shared predicate of every rule over people's data: ``Principal.acts_as``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from shared.access_mirror import Access
from shared.auth import Principal, PrincipalKind, Role

ORG = uuid.uuid4()


def principal(*roles: Role, organization_id: uuid.UUID | None = ORG) -> Principal:
    return Principal(
        subject=str(uuid.uuid4()),
        kind=PrincipalKind.USER,
        organization_id=organization_id,
        roles=frozenset(roles),
        issuer="test",
        expires_at=0,
    )


@pytest.mark.parametrize(
    ("roles", "works"),
    [
        ((Role.OPERATOR,), True),
        ((Role.ORG_ADMIN,), True),
        ((Role.PARTNER_SYSTEM,), True),
        ((Role.PROVIDER,), False),
        ((Role.PLATFORM_ADMIN,), False),
        ((Role.PLATFORM_ADMIN, Role.ORG_ADMIN), False),
        ((Role.PLATFORM_ADMIN, Role.OPERATOR), False),
        ((Role.BENEFICIARY, Role.OPERATOR), False),
    ],
)
def test_only_case_roles_without_platform_admin_work_on_cases(
    roles: tuple[Role, ...], works: bool
) -> None:
    assert principal(*roles).works_on_cases is works


def test_no_organisation_no_cases() -> None:
    assert not principal(Role.OPERATOR, organization_id=None).works_on_cases


def test_providers_act_as_providers_but_not_beside_platform_admin() -> None:
    assert principal(Role.PROVIDER).acts_as(Role.PROVIDER)
    assert not principal(Role.PROVIDER, Role.PLATFORM_ADMIN).acts_as(Role.PROVIDER)


def test_the_services_copy_of_access_gives_a_platform_admin_nothing() -> None:
    """Pathways' and matching's rule (shared.access_mirror) refuses the owner's platform admin."""
    access = Access(
        beneficiary_id=uuid.uuid4(),
        owner=ORG,
        grants=(),
        matching_consent=True,
        erased=False,
        merged_into=None,
    )
    now = datetime.now(UTC)
    assert access.sections_for(principal(Role.ORG_ADMIN), now)
    assert access.sections_for(principal(Role.PLATFORM_ADMIN, Role.ORG_ADMIN), now) == frozenset()
