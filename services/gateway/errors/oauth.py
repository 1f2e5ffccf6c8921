"""Every error of ``POST /api/v1/auth/token`` in RFC 6749 §5.2's form.

OAuth client libraries read a token answer by its ``error`` member: a 422 validation problem
without one (an unknown or missing ``grant_type``) was taken for a token. The token route's class
renders whatever its handler (and the dependencies and form parsing around it) raises as
``application/json`` with ``error`` and ``error_description`` (keeping the problem's ``type``,
``title``, ``status``, ``detail`` and ``errors`` beside them), ``Cache-Control: no-store`` and, for
``invalid_client``, ``WWW-Authenticate: Basic`` (RFC 6749 §5.2, RFC 9110 §11.6.1: a 401 names the
scheme to use).

A 429 stays problem+json (as every 429 of the API, the rate limit's before the route too), with
``error`` and ``error_description`` in it when the sign-in throttle answers; answers made before
the route runs (the request middleware's 413) are problems too. The OpenAPI document says which.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Literal

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.gateway.errors import (
    InvalidClient,
    InvalidRequest,
    OAuthProblem,
    UnsupportedGrantType,
)
from shared.errors import (
    PROBLEM_CONTENT_TYPE,
    FieldError,
    InputRefused,
    Problem,
    TooManyRequests,
    problem_body,
    validation_errors,
)
from shared.logging import current_request_id

GRANT_TYPES = ("password", "client_credentials", "refresh_token")
OAUTH_CONTENT_TYPE = "application/json"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
BASIC_CHALLENGE = 'Basic realm="ponte", charset="UTF-8"'
# When the client is throttled: RFC 6749 names no code for it; this one (from §4.1.2.1) says
# "try again later" to a client library, and Retry-After says when.
THROTTLED = "temporarily_unavailable"


class OAuthError(BaseModel):
    """An error of the token endpoint (RFC 6749 §5.2), with the problem's members beside."""

    model_config = ConfigDict(extra="allow")

    error: Literal[
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "temporarily_unavailable",
    ]
    error_description: str = Field(description="For the developer, in English")
    type: str | None = None
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


def _from_validation(error: RequestValidationError) -> OAuthProblem:
    raw = error.errors()
    for item in raw:
        location = tuple(item.get("loc", ()))
        if location == ("body", "grant_type") and item.get("type") != "missing":
            return UnsupportedGrantType(
                f"grant_type must be one of: {', '.join(GRANT_TYPES)}.",
                errors=validation_errors([item]),
            )
    fields = ", ".join(sorted({str(item.get("loc", ("", "?"))[-1]) for item in raw}))
    return InvalidRequest(
        f"Missing or invalid parameters: {fields}.", errors=validation_errors(raw)
    )


def _as_oauth(error: Exception) -> OAuthProblem | TooManyRequests | None:
    """The OAuth error an exception of the token route stands for, or None to let it pass."""
    if isinstance(error, OAuthProblem | TooManyRequests):
        return error
    if isinstance(error, RequestValidationError):
        return _from_validation(error)
    if isinstance(error, InputRefused):
        return InvalidRequest(str(error.detail), errors=error.errors)
    if isinstance(error, Problem) and error.status in (400, 422):
        return InvalidRequest(error.detail or error.title, errors=error.errors)
    if isinstance(error, StarletteHTTPException) and error.status_code == 400:
        return InvalidRequest(str(error.detail))  # the form parser's (a field over 1 MiB)
    return None


def render(error: OAuthProblem | TooManyRequests, request: Request) -> Response:
    headers = {**error.headers, **NO_STORE}
    if isinstance(error, TooManyRequests):
        code, description = THROTTLED, error.detail or error.title
    else:
        code, description = error.error_code, error.extensions["error_description"]
        if isinstance(error, InvalidClient):
            headers["WWW-Authenticate"] = BASIC_CHALLENGE
    extensions = {
        k: v for k, v in error.extensions.items() if k not in ("error", "error_description")
    }
    body = problem_body(
        error.status,
        slug=error.slug,
        title=error.title,
        detail=error.detail,
        request_id=current_request_id(),
        errors=error.errors,
        instance=request.url.path,
        **extensions,
    )
    body = {"error": code, "error_description": description, **body}
    # A throttled sign-in stays the problem every 429 of the API is (clients and the rate
    # limit's answers alike), with OAuth's members in it.
    media_type = PROBLEM_CONTENT_TYPE if isinstance(error, TooManyRequests) else OAUTH_CONTENT_TYPE
    return JSONResponse(body, status_code=error.status, headers=headers, media_type=media_type)


class TokenEndpointRoute(APIRoute):
    """The route class of the token endpoint: its errors in OAuth's form (see the module)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_oauth(request: Request) -> Response:
            try:
                await _refuse_repeated_parameters(request)
                return await handle(request)
            except Exception as error:
                oauth = _as_oauth(error)
                if oauth is None:
                    raise
                return render(oauth, request)

        return handle_oauth


async def _refuse_repeated_parameters(request: Request) -> None:
    """RFC 6749 §3.2: a parameter sent twice is an invalid request (the form would take one)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return
    form = await request.form()  # cached on the request: the route reads the same one
    names = [name for name, _ in form.multi_items()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InvalidRequest(
            f"Send each parameter once: {', '.join(repeated)} came more than once."
        )


def documented_responses() -> dict[int | str, dict[str, Any]]:
    """``responses=`` of the token route: its errors are OAuth's JSON; a 429 is OAuth's when the
    sign-in throttle answers it and a problem when the rate limit does. ``x-error-format`` tells
    :func:`shared.openapi.document_problems` to keep these as they are."""
    problem = {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
    }
    own = {"x-error-format": "oauth2"}
    return {
        400: {
            "model": OAuthError,
            "description": "invalid_request, invalid_grant or unsupported_grant_type "
            "(RFC 6749 §5.2)",
            **own,
        },
        401: {
            "model": OAuthError,
            "description": "invalid_client, with `WWW-Authenticate: Basic` (RFC 6749 §5.2)",
            **own,
        },
        413: {"description": "Body too large", "content": problem, **own},
        429: {
            "description": "Too many attempts or rate limited, see Retry-After: a problem (with "
            "`error: temporarily_unavailable` when the sign-in throttle answers)",
            "content": problem,
            **own,
        },
        "default": {
            "model": OAuthError,
            "description": "Any other error (an unavailable service, ...)",
            "content": problem,
            **own,
        },
    }
