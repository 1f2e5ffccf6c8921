"""The OpenAPI document's ``webhooks``: one operation per event type of the catalogue (and the
ping), as Ponte POSTs it to a subscriber: the Standard Webhooks headers, and the body
``{type, timestamp, data}`` whose ``data`` holds exactly the fields the catalogue's example
shows (no others: ``additionalProperties`` false), each typed as its example is and nullable,
since an id that does not apply is null (a referral to a service point has no ``offer_id``).
Inline schemas, so that a receiver validates a body with this section alone."""

from __future__ import annotations

import re
from typing import Any

from services.gateway.webhooks.catalogue import CATALOGUE, PING, EventSpec, body_of
from services.gateway.webhooks.resources import RESOURCES

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})")
EXAMPLE_TIME = "2026-03-02T09:15:00+00:00"
HEADERS = {
    "webhook-id": "the event's id: the same at every attempt (deduplicate on it)",
    "webhook-timestamp": "when this attempt was signed, in Unix seconds",
    "webhook-signature": "`v1,<base64 HMAC-SHA256>` of `<id>.<timestamp>.<body>` with the "
    "subscription's secret (several, space-separated, while a secret rotates)",
}
PING_SPEC = EventSpec(
    PING,
    "A test delivery, sent when asked (`POST /api/v1/webhooks/{id}/ping`).",
    "the subscription asked, whatever its types",
    {"webhook_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"},
)


def _typed(value: Any) -> dict[str, Any]:
    """The schema of a field, from its example value, nullable."""
    if isinstance(value, bool):
        return {"type": ["boolean", "null"]}
    if isinstance(value, int):
        return {"type": ["integer", "null"]}
    if isinstance(value, float):
        return {"type": ["number", "null"]}
    if isinstance(value, list):
        items = _typed(value[0]) if value else {}
        return {"type": ["array", "null"], "items": items}
    if isinstance(value, dict):
        return {"type": ["object", "null"]}
    if isinstance(value, str):
        for pattern, format_ in ((_UUID, "uuid"), (_MOMENT, "date-time"), (_DATE, "date")):
            if pattern.fullmatch(value):
                return {"type": ["string", "null"], "format": format_}
    return {"type": ["string", "null"]}


def _body(spec: EventSpec) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "additionalProperties": False,
        "properties": {
            "type": {"type": "string", "const": spec.type},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    **{name: _typed(value) for name, value in spec.example.items()},
                    **_resource(spec.type),
                },
            },
        },
    }


def _resource(event_type: str) -> dict[str, Any]:
    """``data.resource``, for the events that name one (subscriptions with payload resource)."""
    if event_type not in RESOURCES:
        return {}
    _service, path = RESOURCES[event_type]
    return {
        "resource": {
            "type": ["object", "null"],
            "description": f"with `payload: resource` only: `GET {path}` as your organisation "
            "may read it when the delivery is attempted; null when it may not",
        }
    }


def _operation(spec: EventSpec) -> dict[str, Any]:
    return {
        "post": {
            "tags": ["webhooks"],
            "operationId": "event_" + re.sub(r"\W", "_", spec.type),
            "summary": spec.description,
            "description": f"Sent to {spec.audience}. Answer any 2xx within 10 seconds "
            "(`PONTE_GATEWAY_WEBHOOK_TIMEOUT_SECONDS`); otherwise Ponte tries again with "
            "backoff, for up to 3 days (`docs/webhooks.md`).",
            "security": [],
            "parameters": [
                {
                    "name": name,
                    "in": "header",
                    "required": True,
                    "description": text,
                    "schema": {"type": "string"},
                }
                for name, text in HEADERS.items()
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _body(spec),
                        "example": body_of(spec.type, EXAMPLE_TIME, spec.example),
                    }
                },
            },
            "responses": {
                "200": {"description": "received (any 2xx: 200, 202, 204...)"},
                "400": {"description": "refused: Ponte tries again later"},
            },
        }
    }


def webhooks_section() -> dict[str, Any]:
    """Every event type a subscriber may receive, the ping last."""
    return {spec.type: _operation(spec) for spec in (*CATALOGUE.values(), PING_SPEC)}
