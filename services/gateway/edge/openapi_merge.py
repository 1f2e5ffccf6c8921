"""One OpenAPI document for the whole API: the gateway's own operations plus each service's
``/api/v1`` operations, with component names kept apart when two services use the same name for
different schemas. A path several services serve alike (``/api/v1/code-lists/{name}``: the same
shared operation, which the gateway forwards by name) is listed once; served differently, it is
an error."""

from __future__ import annotations

import copy
import re
from typing import Any

from services.gateway.edge.openapi_tags import described

_REF_PREFIX = "#/components/schemas/"


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                _REF_PREFIX + renames.get(value[len(_REF_PREFIX) :], value[len(_REF_PREFIX) :])
                if key == "$ref" and isinstance(value, str) and value.startswith(_REF_PREFIX)
                else _rewrite_refs(value, renames)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _check_operation_ids(paths: dict[str, Any]) -> None:
    seen: dict[str, str] = {}
    for path, item in paths.items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            where = f"{method.upper()} {path}"
            other = seen.setdefault(operation["operationId"], where)
            if other != where:
                raise ValueError(f"{where} and {other} share the operationId")


def _name_form_bodies(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI names a form's body ``Body_<operation>`` (the token endpoint's ``Body_token``,
    which a generator makes a class ``Bodytoken`` of); named for what it is instead:
    ``TokenForm``."""
    schemas: dict[str, Any] = document["components"]["schemas"]
    renames = {
        name: "".join(word.capitalize() for word in name.removeprefix("Body_").split("_")) + "Form"
        for name in schemas
        if name.startswith("Body_")
    }
    document = _rewrite_refs(document, renames)
    document["components"]["schemas"] = {
        renames.get(name, name): schema
        for name, schema in document["components"]["schemas"].items()
    }
    return document


def merge(
    gateway: dict[str, Any], services: dict[str, dict[str, Any]], *, public_prefix: str = "/api/v1"
) -> dict[str, Any]:
    merged = copy.deepcopy(gateway)
    paths: dict[str, Any] = merged.setdefault("paths", {})
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})

    for service, document in sorted(services.items()):
        renames: dict[str, str] = {}
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                renames[name] = f"{service.capitalize()}{name}"
        document = _rewrite_refs(document, renames)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(name, name), schema)
        for path, item in document.get("paths", {}).items():
            if not path.startswith(public_prefix):
                continue
            if path in paths and paths[path] != item:
                raise ValueError(f"{path} is served by two services")
            paths[path] = item
        for scheme, definition in document.get("components", {}).get("securitySchemes", {}).items():
            merged["components"].setdefault("securitySchemes", {}).setdefault(scheme, definition)
        for name, parameter in document.get("components", {}).get("parameters", {}).items():
            merged["components"].setdefault("parameters", {}).setdefault(name, parameter)

    _check_operation_ids(paths)
    merged["paths"] = dict(sorted(paths.items()))
    merged = _name_form_bodies(merged)
    # Each schema titled by its (unique) component name, as a generator names its class: two
    # titled alike (FastAPI's "Pay-Input" and "Pay-Output", a name two services use) would make
    # one class of two and drop the other's responses.
    merged["components"]["schemas"] = {
        name: {**schema, "title": re.sub(r"[^0-9A-Za-z]", "", name)}
        for name, schema in sorted(merged["components"]["schemas"].items())
    }
    return described(merged)
