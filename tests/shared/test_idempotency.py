"""The pieces of Idempotency-Key that need no database: keys, callers, fingerprints, and that every
POST of the public API documents and honours the header."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from services.intake.app import create_app as intake_app
from services.intake.db.models import idempotency as intake_records
from services.intake.settings import IntakeSettings
from shared.auth import Principal, PrincipalKind, Role
from shared.errors import UnprocessableContent
from shared.idempotency import caller_of, fingerprint, valid_key
from shared.idempotency_routes import idempotency_tables

# POSTs that take no key: the OAuth token endpoint (a retry just gets another token) and the
# one-time activation of a beneficiary's account (its code can be used once by nature).
WITHOUT_KEY = ("/api/v1/auth/",)


def principal(subject: str, organization_id: uuid.UUID | None) -> Principal:
    return Principal(
        subject=subject,
        kind=PrincipalKind.USER,
        organization_id=organization_id,
        roles=frozenset({Role.OPERATOR}),
        issuer="test",
        expires_at=0,
    )


def test_keys_are_trimmed_and_checked() -> None:
    assert valid_key(None) is None
    assert valid_key("  5b0c2a7e-retry  ") == "5b0c2a7e-retry"
    assert valid_key("x" * 200) == "x" * 200
    for bad in ("", " ", "x" * 201, "line\nbreak", "nul\0"):
        with pytest.raises(UnprocessableContent):
            valid_key(bad)


def test_the_caller_is_the_subject_within_its_organisation() -> None:
    org = uuid.uuid4()
    assert caller_of(principal("user-1", org)) == f"{org.hex}:user-1"
    assert caller_of(principal("user-1", None)) == "-:user-1"
    assert caller_of(principal("user-1", org)) != caller_of(principal("user-1", uuid.uuid4()))
    long = caller_of(principal("s" * 200, org))
    assert len(long) <= 100
    assert long == caller_of(principal("s" * 200, org))


def test_the_same_request_is_the_same_json_in_any_order_on_the_same_target() -> None:
    one = fingerprint(b'{"a": 1, "b": [1, 2]}', method="POST", target="/x")
    assert one == fingerprint(b'{"b":[1,2],"a":1}', method="POST", target="/x")
    assert one != fingerprint(b'{"a": 1, "b": [2, 1]}', method="POST", target="/x")
    assert one != fingerprint(b'{"a": 1, "b": [1, 2]}', method="POST", target="/y")
    assert fingerprint(b"\xff not json", target="/x") != fingerprint(b"\xfe not json", target="/x")


def test_every_public_post_documents_the_key_as_one_reusable_parameter(
    merged_openapi: dict[str, Any],
) -> None:
    document = merged_openapi
    parameter = document["components"]["parameters"]["IdempotencyKey"]
    assert parameter["in"] == "header"
    assert parameter["schema"]["maxLength"] == 200
    posts = [
        (path, item["post"])
        for path, item in document["paths"].items()
        if "post" in item and not path.startswith(WITHOUT_KEY)
    ]
    assert len(posts) >= 19
    for path, operation in posts:
        assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation.get(
            "parameters", []
        ), path
        assert {"409", "422"} <= set(operation["responses"]), path


def test_a_service_purges_the_tables_its_routes_write() -> None:
    app = intake_app(IntakeSettings(database_url="postgresql://unused@localhost/unused"))
    assert idempotency_tables(app.api.routes) == [intake_records]
