"""Token verification shared by every service (the JWT library stays inside ``tokens``)."""

from shared.auth.dependencies import CurrentPrincipal, authenticate, build_verifier, require_roles
from shared.auth.principal import (
    CASE_ROLES,
    INTEGRATION_ROLES,
    ORGANIZATION_SIDE_ROLES,
    PROVIDER_ROLES,
    REPORT_ROLES,
    STAFF_ROLES,
    Principal,
    PrincipalKind,
    Role,
)

__all__ = [
    "CASE_ROLES",
    "INTEGRATION_ROLES",
    "ORGANIZATION_SIDE_ROLES",
    "PROVIDER_ROLES",
    "REPORT_ROLES",
    "STAFF_ROLES",
    "CurrentPrincipal",
    "Principal",
    "PrincipalKind",
    "Role",
    "authenticate",
    "build_verifier",
    "require_roles",
]
