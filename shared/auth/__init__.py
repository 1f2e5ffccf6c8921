"""Token verification shared by every service (python-jose stays inside ``tokens``)."""

from shared.auth.dependencies import CurrentPrincipal, authenticate, build_verifier, require_roles
from shared.auth.principal import Principal, PrincipalKind, Role

__all__ = [
    "CurrentPrincipal",
    "Principal",
    "PrincipalKind",
    "Role",
    "authenticate",
    "build_verifier",
    "require_roles",
]
