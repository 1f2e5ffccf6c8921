"""The merged OpenAPI document tells integrators which operations need a bearer token."""

from __future__ import annotations

from services.stack import openapi_document

PUBLIC = {
    ("/api/v1/auth/token", "post"),
    ("/api/v1/status", "get"),
}


def test_every_operation_that_checks_a_token_documents_the_bearer_scheme() -> None:
    document = openapi_document()
    assert "bearer" in document["components"]["securitySchemes"]
    operations = {
        (path, method): operation
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
    }
    unsecured = {key for key, operation in operations.items() if "security" not in operation}
    assert unsecured <= PUBLIC, sorted(unsecured - PUBLIC)
    assert ("/api/v1/beneficiaries/{beneficiary_id}/matches", "get") in operations
    assert operations[("/api/v1/offers", "post")]["security"] == [{"bearer": []}]
