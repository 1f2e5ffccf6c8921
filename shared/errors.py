"""RFC 9457 problem details: the one error shape of the whole API.

Domain code raises a :class:`Problem` subclass; the handlers installed by :func:`install_handlers`
turn it, FastAPI's validation errors and Starlette's HTTP errors into ``application/problem+json``.
Unexpected exceptions become a bare 500 (see ``shared.middleware.ErrorMiddleware``): never a stack
trace, never the input that caused it.

A problem's ``type`` is a URI that resolves: ``{issuer}/problems/{slug}``, where the issuer is the
gateway's public address (``PONTE_AUTH_ISSUER``, the tokens' ``iss``), and the gateway serves there
the problem type's document (title, status, description) and at ``/problems`` the catalogue,
generated from every :class:`Problem` subclass into ``shared/problem_types.json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEMS_PATH = "/problems"
_type_base = {"uri": "http://localhost:8000" + PROBLEMS_PATH + "/"}  # the default issuer's


def configure_problem_types(issuer: str) -> None:
    """Build every problem's ``type`` on ``issuer`` (the gateway's public address, where the
    catalogue is served). Called once per process by ``create_service_app`` with its settings;
    every service of a deployment has the same issuer."""
    _type_base["uri"] = issuer.rstrip("/") + PROBLEMS_PATH + "/"


class FieldError(BaseModel):
    field: str = Field(
        description="dotted path of the offending field, e.g. body.languages.0.level"
    )
    message: str
    code: str = Field(description="machine-readable reason, e.g. missing, extra_forbidden")


class ProblemDetail(BaseModel):
    """The body of every error response (RFC 9457)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="the problem type: a URI whose document (GET it) names its title, status and "
        "meaning; the catalogue of every type is at `/problems`",
        examples=["https://ponte.example/problems/not-found"],
    )
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class Problem(Exception):
    """An error the API answers with a problem+json body. Subclasses fix status and type."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"
    # What the type means to a client: the catalogue at /problems publishes it.
    description: ClassVar[str] = (
        "Something failed on Ponte's side; the request may be retried later. The body carries the "
        "request_id to quote when reporting it, never the cause."
    )

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = dict(headers or {})
        self.extensions = extensions


class BadRequest(Problem):
    status, slug, title = 400, "bad-request", "Bad request"
    description = (
        "The request could not be read: a malformed header, body or parameter (detail says "
        "which). Fix the request before sending it again."
    )


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Authentication required"
    description = (
        "No valid access token: it is missing, expired, revoked or not one of Ponte's. Get a new "
        "token (refresh, or ask the token endpoint) and retry."
    )

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(
            detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}, **extensions
        )


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Not allowed"
    description = (
        "The caller is known but its role or organisation may not do this; a record the caller "
        "may not see answers not-found instead."
    )


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"
    description = "No such resource, or not one the caller may see (the two are never told apart)."


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict with the current state"
    description = (
        "The request is valid but the resource's state forbids it (a duplicate, a closed or "
        "finished record); detail says which, and some carry a pointer such as existing_id."
    )


class PreconditionFailed(Problem):
    status, slug, title = 412, "precondition-failed", "The resource changed since it was read"
    description = (
        "If-Match named an older version: read the resource again (its new ETag), reapply the "
        "change and send it with that ETag."
    )


class UnprocessableContent(Problem):
    status, slug, title = 422, "validation", "The request is not valid"
    description = (
        "One or more fields are invalid: errors lists each one (field, message, code). The input "
        "is never echoed back."
    )


class PreconditionRequired(Problem):
    status, slug, title = 428, "precondition-required", "If-Match is required"
    description = (
        "An update or delete must name the version it changes: send If-Match with the ETag of "
        "your last read."
    )


class TooManyRequests(Problem):
    status, slug, title = 429, "too-many-requests", "Too many requests"
    description = "A rate limit was reached: wait Retry-After seconds before trying again."

    def __init__(self, detail: str | None = None, *, retry_after: int, **extensions: Any) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)}, **extensions)


class ServiceUnavailable(Problem):
    status, slug, title = 503, "service-unavailable", "A service is unavailable"
    description = (
        "A service or its database cannot answer right now; retry after Retry-After seconds. "
        "Nothing was changed."
    )


class GatewayTimeout(Problem):
    status, slug, title = 504, "gateway-timeout", "A service did not answer in time"
    description = (
        "A service did not answer in time; the change may or may not have happened: retry with "
        "the same Idempotency-Key."
    )


class InputRefused(StarletteHTTPException):
    """A problem raised where only an ``HTTPException`` passes: from the request middleware's
    ``receive``, through FastAPI's body reading (which turns anything else into a bare 400).
    Rendered like :class:`UnprocessableContent` (type ``validation``) with its field errors."""

    slug, title = UnprocessableContent.slug, UnprocessableContent.title

    def __init__(
        self, status_code: int, detail: str, *, errors: Sequence[FieldError] | None = None
    ) -> None:
        super().__init__(status_code, detail)
        self.errors = list(errors) if errors else None


def problem_type(slug: str) -> str:
    return _type_base["uri"] + slug


def status_slug(status: int) -> str:
    """The slug of a bare HTTP error (one no :class:`Problem` names): its phrase, kebab-cased."""
    words = "".join(c if c.isalnum() else " " for c in _phrase(status).lower() if c != "'")
    return "-".join(words.split())


def problem_body(
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    request_id: str | None = None,
    errors: Sequence[FieldError] | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    phrase = _phrase(status)
    body: dict[str, Any] = {
        "type": problem_type(slug or status_slug(status)),
        "title": title or phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = [error.model_dump() for error in errors]
    body.update(extensions)
    return body


def problem_response(
    status: int, headers: Mapping[str, str] | None = None, **fields: Any
) -> JSONResponse:
    from shared.logging import current_request_id  # request-scoped; imported late to avoid a cycle

    fields.setdefault("request_id", current_request_id())
    return JSONResponse(
        problem_body(status, **fields),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_CONTENT_TYPE,
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _field_path(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location)


def validation_errors(raw: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """FastAPI/pydantic errors as field errors; the offending input is never echoed back."""
    return [
        FieldError(
            field=_field_path(error.get("loc", ())),
            message=str(error.get("msg", "invalid")),
            code=str(error.get("type", "invalid")),
        )
        for error in raw
    ]


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(
        exc.status,
        headers=exc.headers,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        instance=request.url.path,
        **exc.extensions,
    )


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return problem_response(
        422,
        slug=UnprocessableContent.slug,
        title=UnprocessableContent.title,
        detail="One or more fields are invalid; see errors.",
        errors=validation_errors(exc.errors()),
        instance=request.url.path,
    )


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (methods := allowed_methods(request)):
        headers["Allow"] = ", ".join(methods)
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if detail == _phrase(exc.status_code):
        detail = None
    if isinstance(exc, InputRefused):
        return problem_response(
            exc.status_code,
            headers=headers,
            slug=exc.slug,
            title=exc.title,
            detail=detail,
            errors=exc.errors,
            instance=request.url.path,
        )
    return problem_response(
        exc.status_code, headers=headers, detail=detail, instance=request.url.path
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path. Starlette's router stops at the first route
    whose path matches and answers 405 with that route's methods alone, though another route (a
    ``GET`` and a ``DELETE`` declared apart) may serve the same path (RFC 9110 15.5.6). Walks
    FastAPI's route contexts: since 0.165 an included router is one route holding its own."""
    path = request.scope["path"]
    # By template: the most literal templates that match (``/beneficiaries/batch`` is not also
    # ``/beneficiaries/{beneficiary_id}``'s, whose id could never be "batch").
    by_template: dict[str, set[str]] = {}
    for context in iter_route_contexts(request.app.router.routes):
        regex = getattr(context, "path_regex", None)
        served = getattr(context, "methods", None)
        if regex is not None and served and regex.match(path):
            template = str(getattr(context, "path_format", "") or getattr(context, "path", ""))
            by_template.setdefault(template, set()).update(served)
    if not by_template:
        return []
    fewest = min(template.count("{") for template in by_template)
    methods = {
        method
        for template, served in by_template.items()
        if template.count("{") == fewest
        for method in served
    }
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(
        methods, key=lambda method: (order.index(method) if method in order else 99, method)
    )


async def _on_crash(_request: Request, _exc: Exception) -> Response:
    """A bare 500: no trace, no input. The request middleware logs the exception itself."""
    return problem_response(500, slug="internal-error", title="Internal server error")


def database_away(error: BaseException) -> bool:
    """The database cannot be reached (restarting, refusing connections, a connection cut): the
    request was fine and a retry shortly will do. SQLSTATE class 08 is a connection exception,
    57P an operator's intervention (a shutdown, a server still starting)."""
    if isinstance(error, DBAPIError):
        state = str(getattr(error.orig, "sqlstate", None) or "")
        return bool(error.connection_invalidated) or state.startswith(("08", "57P"))
    return isinstance(error, ConnectionError)  # refused or reset while connecting


async def _on_database_error(request: Request, exc: Exception) -> Response:
    """503 with Retry-After while the database is away (as for a service that is down);
    anything else stays a 500, raised on to the last-resort handler that logs it."""
    if not database_away(exc):
        raise exc
    from shared.logging import get_logger  # imported late, as in problem_response

    get_logger("ponte.http").warning(
        "database_unavailable",
        route=getattr(request.scope.get("route"), "path", None),  # the template: no ids
        error=type(exc).__name__,
    )
    return problem_response(
        503,
        headers={"Retry-After": "1"},
        slug=ServiceUnavailable.slug,
        title=ServiceUnavailable.title,
        detail="The service cannot reach its database; try again shortly.",
        instance=request.url.path,
    )


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Exception, _on_crash)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(ConnectionError, _on_database_error)
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
