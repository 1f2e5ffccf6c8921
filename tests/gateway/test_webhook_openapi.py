"""The OpenAPI document's `webhooks`: every event type of the catalogue and the ping, each with
the Standard Webhooks headers and a body schema its own example meets; a field the catalogue does
not show, or of another type, is refused (so the end-to-end test that validates what a receiver
got, `tests/e2e/test_webhooks.py`, can fail)."""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from services.gateway.webhooks.catalogue import CATALOGUE, PING
from services.gateway.webhooks.openapi import webhooks_section


def _schema(section: dict[str, Any], event_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = section[event_type]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    return schema


def test_every_event_is_documented_with_an_example_that_meets_its_schema() -> None:
    section = webhooks_section()
    assert set(section) == {*CATALOGUE, PING}
    for event_type, item in section.items():
        content = item["post"]["requestBody"]["content"]["application/json"]
        validator = jsonschema_rs.validator_for(content["schema"], validate_formats=True)
        assert list(validator.iter_errors(content["example"])) == [], event_type


def test_an_undocumented_field_or_a_wrong_type_is_refused() -> None:
    section = webhooks_section()
    validator = jsonschema_rs.validator_for(
        _schema(section, "referral.status_changed"), validate_formats=True
    )
    example = section["referral.status_changed"]["post"]["requestBody"]["content"][
        "application/json"
    ]["example"]
    assert validator.is_valid(example)
    assert validator.is_valid({**example, "data": {**example["data"], "offer_id": None}})
    assert not validator.is_valid({**example, "data": {**example["data"], "name": "Amina"}})
    assert not validator.is_valid({**example, "data": {**example["data"], "offer_id": "x"}})
    assert not validator.is_valid({**example, "type": "pathway.opened"})
