"""The gateway's errors, each with its message once: the resources it cannot find (404 whether
absent or not the caller's), and the OAuth 2 token-endpoint errors (RFC 6749 §5.2) as
problem+json, whose body carries both the problem fields and the ``error`` /
``error_description`` members OAuth clients look for (rendered by ``errors.oauth``)."""

from __future__ import annotations

from typing import Any

from shared.errors import NotFound, Problem


class _Missing(NotFound):
    message = "No such thing."

    def __init__(self) -> None:
        super().__init__(self.message)


class UserNotFound(_Missing):
    message = "No such user."


class OrganizationNotFound(_Missing):
    message = "No such organisation."


class ClientNotFound(_Missing):
    message = "No such client."


class WebhookNotFound(_Missing):
    message = "No such webhook."


class DeliveryNotFound(_Missing):
    message = "No such delivery."


class OAuthProblem(Problem):
    status, slug, title = 400, "oauth", "The token request was refused"
    description = (
        "The token endpoint refused the request (OAuth 2, RFC 6749 5.2): error names the reason "
        "(invalid_request, invalid_grant, unsupported_grant_type; invalid_client with status "
        "401)."
    )
    error_code = "invalid_request"

    def __init__(self, description: str, **extensions: Any) -> None:
        super().__init__(
            description,
            error=self.error_code,
            error_description=description,
            headers={"Cache-Control": "no-store"},
            **extensions,
        )


class InvalidRequest(OAuthProblem):
    error_code = "invalid_request"


class InvalidGrant(OAuthProblem):
    error_code = "invalid_grant"


class PasswordChangeRequired(InvalidGrant):
    """The password was right, but an admin chose it: the holder must choose their own."""

    slug, title = "password-change-required", "Choose your own password"
    description = (
        "The password was right, but an admin chose it: send the holder's own new password with "
        "it (new_password) to sign in."
    )


class UnsupportedGrantType(OAuthProblem):
    error_code = "unsupported_grant_type"


class InvalidClient(OAuthProblem):
    status = 401
    error_code = "invalid_client"
