"""The rule every chosen password passes (new accounts, changes, first sign-ins and the app's
activation alike), as the 422 that names each reason it is refused."""

from __future__ import annotations

from services.gateway.domain.passwords import password_problems
from shared.errors import FieldError, UnprocessableContent


def require_strong_password(
    password: str, email: str, *, current: str | None = None, field: str = "body.password"
) -> None:
    """422 naming every reason a chosen password is refused (new accounts, changes, first sign-ins
    and the app's activation alike)."""
    reasons = password_problems(password, email=email, current=current)
    if reasons:
        raise UnprocessableContent(
            "The password is refused.",
            errors=[
                FieldError(field=field, message=reason, code="weak_password") for reason in reasons
            ],
        )
