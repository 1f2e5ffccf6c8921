"""The merged OpenAPI document: bearer security marked, an example on every request body, and
the committed docs/openapi.json equal to what the gateway serves."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.support import ROOT

PUBLIC = {
    ("/api/v1/auth/token", "post"),
    ("/api/v1/auth/activate", "post"),  # the invitation code is the credential
    ("/api/v1/status", "get"),
}


def test_every_operation_that_checks_a_token_documents_the_bearer_scheme(
    merged_openapi: dict[str, Any],
) -> None:
    document = merged_openapi
    assert "bearer" in document["components"]["securitySchemes"]
    operations = {
        (path, method): operation
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
    }
    unsecured = {key for key, operation in operations.items() if "security" not in operation}
    assert unsecured == set(), sorted(unsecured)
    # A public operation says so (security: []), as OpenAPI tools expect.
    public = {key for key, operation in operations.items() if operation["security"] == []}
    assert public == PUBLIC, sorted(public ^ PUBLIC)
    assert ("/api/v1/beneficiaries/{beneficiary_id}/matches", "get") in operations
    assert operations[("/api/v1/offers", "post")]["security"] == [{"bearer": []}]


def test_every_tag_is_declared_with_what_it_groups_and_the_server_is_named(
    merged_openapi: dict[str, Any],
) -> None:
    used = {
        tag
        for item in merged_openapi["paths"].values()
        for operation in item.values()
        for tag in operation.get("tags", [])
    }
    declared = {tag["name"]: tag["description"] for tag in merged_openapi["tags"]}
    assert set(declared) == used
    assert all(len(text) > 10 for text in declared.values())
    assert merged_openapi["servers"] == [
        {"url": "/", "description": "this deployment (where the document was read)"}
    ]
    assert merged_openapi["info"]["license"]["identifier"] == "EUPL-1.2"


def test_the_committed_document_is_the_one_the_gateway_serves(
    merged_openapi: dict[str, Any],
) -> None:
    """docs/openapi.json is what integrators read; `make openapi` rewrites it."""
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text())
    assert committed == merged_openapi, "run `make openapi`"


def test_every_request_body_has_an_example(merged_openapi: dict[str, Any]) -> None:
    document = merged_openapi
    schemas = document["components"]["schemas"]
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                reference = media.get("schema", {}).get("$ref", "")
                schema = schemas.get(reference.rsplit("/", 1)[-1], media.get("schema", {}))
                if not ({"example", "examples"} & (set(media) | set(schema))):
                    missing.append(f"{method.upper()} {path}")
    assert missing == []


def test_operation_ids_and_schema_titles_are_unique_names_a_generator_can_use(
    merged_openapi: dict[str, Any],
) -> None:
    """A generated client names its methods after operationIds and its classes after schema
    titles: each must be unique and an identifier (two schemas titled "Pay" once made a
    generated client drop every `/offers` answer)."""
    ids = [
        operation["operationId"]
        for item in merged_openapi["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", value) for value in ids), ids
    assert "register" in ids  # the function's name, not "register_api_v1_beneficiaries_post"
    titles = [schema["title"] for schema in merged_openapi["components"]["schemas"].values()]
    assert len(titles) == len(set(titles))
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", title) for title in titles), titles


def test_the_headers_a_client_relies_on_are_declared_where_they_come(
    merged_openapi: dict[str, Any],
) -> None:
    paths = merged_openapi["paths"]
    registered = paths["/api/v1/beneficiaries"]["post"]["responses"]["201"]["headers"]
    assert {"Location", "ETag", "Idempotent-Replayed", "X-Request-ID"} <= set(registered)
    changed = paths["/api/v1/beneficiaries/{beneficiary_id}"]["patch"]["responses"]["200"]
    assert "ETag" in changed["headers"]
    for item in paths.values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                assert "X-Request-ID" in response.get("headers", {}), status
                if status in ("429", "503"):
                    assert "Retry-After" in response["headers"]
                assert not any(header.get("required") for header in response["headers"].values())


def test_every_schema_a_body_refers_to_is_declared_once_and_no_extension_is_left(
    merged_openapi: dict[str, Any],
) -> None:
    """A body a route reads itself (JSON or CSV) refers to its model in ``components`` (a value or
    a list of them: one class for a generator, not two of one name), and the marker that carried
    it there is gone; the token form is named for what it is."""
    text = json.dumps(merged_openapi)
    declared = set(merged_openapi["components"]["schemas"])
    referred = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert referred <= declared, sorted(referred - declared)
    assert "x-component-schemas" not in text
    body = merged_openapi["paths"]["/api/v1/territories/{code}/profiles"]["post"]["requestBody"]
    one = {"$ref": "#/components/schemas/ProfileValueIn"}
    assert body["content"]["application/json"]["schema"]["anyOf"][0] == one
    assert "TokenForm" in declared
    assert not [name for name in declared if name.startswith("Body_")]
