"""Walking the served OpenAPI: every operation, and a request body from the document's own
examples (the matrices and the fuzzing call every route with them)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path template, operation object) for every operation of the document."""
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def example_body(document: dict[str, Any], operation: dict[str, Any]) -> Any:
    """A copy of the operation's JSON body example (the schema's first example otherwise), or
    None when it takes no JSON body."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    if "example" in content:
        return copy.deepcopy(content["example"])
    if content.get("examples"):
        return copy.deepcopy(next(iter(content["examples"].values())).get("value"))
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return copy.deepcopy((schema.get("examples") or [{}])[0])
