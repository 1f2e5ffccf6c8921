"""The response headers a client may rely on, declared where they come (a generated client then
exposes them): ``X-Request-ID`` on every answer; ``Retry-After`` on 429 and 503; ``Location`` on a
201 (and a 202: the job); ``ETag`` on the answers of a resource that changes under ``If-Match``; and
``Idempotent-Replayed`` on the answers of an operation that takes ``Idempotency-Key``. None is
declared required: a header an answer may carry, not one every answer of the status must."""

from __future__ import annotations

from typing import Any, Final

HEADERS: Final[dict[str, dict[str, Any]]] = {
    "X-Request-ID": {
        "description": "the request's id (yours, if you sent one): quote it when reporting",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "seconds to wait before trying again (a whole number)",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "Location": {
        "description": "the resource created (202: the job that does the work)",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "the version read or written: send it as If-Match to change the resource",
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key (nothing was done twice)",
        "schema": {"type": "string", "enum": ["true"]},
    },
}


def _header_parameters(operation: dict[str, Any], shared: dict[str, Any]) -> set[str]:
    """The names of the header parameters the operation takes (``$ref``s to the shared
    parameters resolved), lower-cased."""
    found = set()
    for parameter in operation.get("parameters", []):
        reference = parameter.get("$ref", "")
        if reference:
            parameter = shared.get(reference.rsplit("/", 1)[-1], {})
        if parameter.get("in") == "header":
            found.add(parameter.get("name", "").lower())
    return found


def _declare(response: dict[str, Any], *names: str) -> None:
    declared = response.setdefault("headers", {})
    for name in names:
        declared.setdefault(name, HEADERS[name])


def _versioned(item: dict[str, Any], shared: dict[str, Any]) -> bool:
    """Whether a path's resource changes under If-Match."""
    return any(
        "if-match" in _header_parameters(operation, shared)
        for operation in item.values()
        if isinstance(operation, dict)
    )


def with_headers(paths: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """``paths`` with the headers declared on their responses (changed in place, and returned);
    ``shared``: the document's ``components.parameters``. A 201 that creates a versioned
    resource (``/x`` whose ``/x/{id}`` changes under If-Match) carries its ETag too."""
    versioned = {path for path, item in paths.items() if _versioned(item, shared)}
    for path, item in paths.items():
        creates_versioned = any(
            other.startswith(path + "/{") and "/" not in other[len(path) + 1 :]
            for other in versioned
        )
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            idempotent = "idempotency-key" in _header_parameters(operation, shared)
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    continue
                _declare(response, "X-Request-ID")
                if status in ("429", "503"):
                    _declare(response, "Retry-After")
                if status in ("201", "202"):  # 202: the job that will do it
                    _declare(response, "Location")
                if status.startswith("2") and (
                    path in versioned or (status == "201" and creates_versioned)
                ):
                    _declare(response, "ETag")
                if status.startswith("2") and idempotent:
                    _declare(response, "Idempotent-Replayed")
    return paths
