"""The merged OpenAPI document: a path several services serve with the same operation (the code
lists, forwarded by name) is listed once; a path served differently by two is an error."""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.edge.openapi_merge import merge


def document(summary: str) -> dict[str, Any]:
    return {
        "paths": {"/api/v1/code-lists/{name}": {"get": {"summary": summary}}},
        "components": {"schemas": {}},
    }


def test_the_same_operation_of_several_services_is_listed_once() -> None:
    gateway: dict[str, Any] = {"paths": {}, "components": {"schemas": {}}}
    merged = merge(gateway, {name: document("Read") for name in ("intake", "matching")})
    assert merged["paths"] == {"/api/v1/code-lists/{name}": {"get": {"summary": "Read"}}}


def test_a_path_served_differently_by_two_services_is_refused() -> None:
    gateway: dict[str, Any] = {"paths": {}, "components": {"schemas": {}}}
    with pytest.raises(ValueError, match="served by two services"):
        merge(gateway, {"intake": document("Read"), "matching": document("Other")})


def test_an_operation_id_two_services_use_is_refused_and_titles_follow_the_names() -> None:
    gateway: dict[str, Any] = {"paths": {}, "components": {"schemas": {}}}
    one = {"paths": {"/api/v1/a": {"get": {"operationId": "read", "responses": {}}}}}
    two = {"paths": {"/api/v1/b": {"get": {"operationId": "read", "responses": {}}}}}
    with pytest.raises(ValueError, match="share the operationId"):
        merge(gateway, {"intake": one, "matching": two})

    pay = {"type": "object", "title": "Pay"}
    schemas = {"components": {"schemas": {"Pay-Input": pay, "Pay-Output": pay}}}
    merged = merge(gateway, {"matching": schemas})
    titles = {name: schema["title"] for name, schema in merged["components"]["schemas"].items()}
    assert titles == {"Pay-Input": "PayInput", "Pay-Output": "PayOutput"}


def test_a_form_body_is_named_for_its_operation() -> None:
    gateway: dict[str, Any] = {
        "paths": {
            "/api/v1/auth/token": {
                "post": {
                    "operationId": "token",
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {"$ref": "#/components/schemas/Body_token"}
                            }
                        }
                    },
                }
            }
        },
        "components": {"schemas": {"Body_token": {"type": "object", "title": "Body_token"}}},
    }
    merged = merge(gateway, {})
    body = merged["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    assert body["application/x-www-form-urlencoded"]["schema"] == {
        "$ref": "#/components/schemas/TokenForm"
    }
    assert merged["components"]["schemas"] == {
        "TokenForm": {"type": "object", "title": "TokenForm"}
    }
