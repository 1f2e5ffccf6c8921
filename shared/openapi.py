"""OpenAPI post-processing: every error is documented as problem+json, and the bearer scheme is
named once. Used by each service and by the gateway when it merges the services' documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import routing
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel
from starlette.routing import BaseRoute

from shared.errors import FieldError, ProblemDetail

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetail"}
_PROBLEM_CONTENT = {"application/problem+json": {"schema": PROBLEM_REF}}
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
# A response marked so documents its own content (not problem+json): the token endpoint's.
OWN_FORMAT = "x-error-format"


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the error statuses it can answer besides the usual ones."""
    return {status: {"description": _DESCRIPTIONS.get(status, "Error")} for status in statuses}


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing or invalid token",
    403: "The caller's role does not allow this",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with the current state",
    412: "If-Match does not match the current version",
    410: "Gone: start again (a sync: from since=0)",
    413: "Body too large",
    422: "Invalid input; `errors` lists the fields",
    428: "If-Match is required",
    429: "Rate limited; see Retry-After",
}


BEARER_SCHEME = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def _depends_on(dependant: Dependant, target: Callable[..., Any]) -> bool:
    return any(sub.call is target or _depends_on(sub, target) for sub in dependant.dependencies)


def secured_operations(
    routes: list[BaseRoute], authenticate: Callable[..., Any]
) -> set[tuple[str, str]]:
    """(path, method) of every operation whose dependencies include ``authenticate``. Walks the
    route contexts: since FastAPI 0.165 an included router is one route holding its own."""
    secured: set[tuple[str, str]] = set()
    for context in routing.iter_route_contexts(routes):
        dependant = getattr(context, "dependant", None)
        path = getattr(context, "path", None)
        if dependant is None or path is None or not _depends_on(dependant, authenticate):
            continue
        for method in getattr(context, "methods", None) or ():
            secured.add((path, method.lower()))
    return secured


def document_security(schema: dict[str, Any], secured: set[tuple[str, str]]) -> None:
    schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = BEARER_SCHEME
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if (path, method) in secured:
                operation["security"] = [{"bearer": []}]


# A body a route reads itself (``openapi_extra``, say JSON or CSV) names its models under this key;
# the document declares them once in ``components`` and the body refers to them there. Inlined
# twice (one value or a list of them), a generator would make two classes of one name and drop
# the operation (openapi-python-client did, for POST /territories/{code}/profiles).
_OWN_SCHEMAS = "x-component-schemas"


def schema_ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def component_schemas(*models: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` entries declaring ``models`` (and the models they use) as components,
    for a request body that refers to them with :func:`schema_ref`."""
    declared: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        declared.update(schema.pop("$defs", {}))
        declared[model.__name__] = schema
    return {_OWN_SCHEMAS: declared}


def document_component_schemas(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in _METHODS:
                components.update(operation.pop(_OWN_SCHEMAS, {}))
    return schema


IDEMPOTENCY_KEY_REF = {"$ref": "#/components/parameters/IdempotencyKey"}


def document_idempotency(schema: dict[str, Any]) -> dict[str, Any]:
    """The ``Idempotency-Key`` header of every POST as one reusable parameter, with the 409 (first
    attempt still running) and 422 (key reused with another body) it can answer."""
    parameter: dict[str, Any] | None = None
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            parameters = operation.get("parameters", [])
            for index, candidate in enumerate(parameters):
                if candidate.get("in") == "header" and candidate.get("name") == "Idempotency-Key":
                    parameter = candidate
                    parameters[index] = IDEMPOTENCY_KEY_REF
                    responses = operation.setdefault("responses", {})
                    responses.setdefault("409", {"description": _DESCRIPTIONS[409]})
                    responses.setdefault("422", {"description": _DESCRIPTIONS[422]})
    if parameter is not None:
        schema.setdefault("components", {}).setdefault("parameters", {})["IdempotencyKey"] = {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": parameter.get("description", ""),
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            "example": "0f8e9a53-3c1d-4b7e-9d5a-2f6c8b1e7a40",
        }
    return schema


_IF_MATCH_DESCRIPTION = (
    "The ETag of your last read of this resource (or `*`): the change applies only if nobody "
    "changed it since (412 otherwise)."
)


def document_preconditions(schema: dict[str, Any]) -> dict[str, Any]:
    """The ``If-Match`` header of every update that checks it: required where a missing one is a
    428, optional where only a stale one is refused (412). Endpoints read it from the request
    (:func:`shared.etags.check_if_match`), so FastAPI alone would not declare it."""
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.get("responses", {}) if method in _METHODS else {}
            if "412" not in responses and "428" not in responses:
                continue
            name = "IfMatch" if "428" in responses else "IfMatchOptional"
            parameters = operation.setdefault("parameters", [])
            if {"$ref": f"#/components/parameters/{name}"} not in parameters:
                parameters.append({"$ref": f"#/components/parameters/{name}"})
            schema.setdefault("components", {}).setdefault("parameters", {})[name] = {
                "name": "If-Match",
                "in": "header",
                "required": name == "IfMatch",
                "description": _IF_MATCH_DESCRIPTION,
                "schema": {"type": "string", "minLength": 1},
                "example": '"3"',
            }
    return schema


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemDetail"] = ProblemDetail.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    components["ProblemDetail"].pop("$defs", None)
    components["FieldError"] = FieldError.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)

    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                responses.setdefault("401", {"description": _DESCRIPTIONS[401]})
            if any(OWN_FORMAT in response for response in responses.values()):
                # An operation with its own error format (OAuth's token endpoint) documents its
                # errors itself; FastAPI's automatic 422 is not one of them.
                responses.pop("422", None)
            for status, response in responses.items():
                if OWN_FORMAT in response:
                    continue
                if status == "default" or int(status) >= 400:
                    response["content"] = _PROBLEM_CONTENT
                    if status == "422":
                        response["description"] = _DESCRIPTIONS[422]
            if OWN_FORMAT not in responses.get("default", {}):
                responses["default"] = {
                    "description": "Any other error (rate limit, unavailable service, ...)",
                    "content": _PROBLEM_CONTENT,
                }
    return schema
