"""Standard Webhooks signatures (https://www.standardwebhooks.com): every delivery carries
``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``, which is
``v1,<base64 HMAC-SHA256>`` over ``{id}.{timestamp}.{body}`` with the secret's bytes (the base64
after ``whsec_``). While a rotated secret is still honoured, the header holds both signatures,
separated by a space; a receiver accepts the delivery when any of them verifies."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping, Sequence

PREFIX = "whsec_"
SECRET_BYTES = 24
MIN_SECRET_BYTES, MAX_SECRET_BYTES = 24, 64
TOLERANCE_SECONDS = 300


class InvalidSecret(ValueError):
    pass


class InvalidSignature(ValueError):
    pass


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_bytes(secret: str) -> bytes:
    """The key of a ``whsec_<base64>`` secret; raises :class:`InvalidSecret` otherwise."""
    if not secret.startswith(PREFIX):
        raise InvalidSecret("a secret starts with whsec_")
    try:
        key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSecret("the part after whsec_ is not base64") from None
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise InvalidSecret(f"a secret holds {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(
    secrets_in_use: Sequence[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers, signed with every secret in use."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(secret, message_id, timestamp, body) for secret in secrets_in_use
        ),
    }


def verify(
    secret: str,
    received: Mapping[str, str],
    body: bytes,
    *,
    tolerance_seconds: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """What a receiver does (and what ``docs/webhooks.md`` shows): raise
    :class:`InvalidSignature` unless one ``v1`` signature matches and the timestamp is recent
    (replays of old deliveries are refused)."""
    lowered = {key.lower(): value for key, value in received.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        signatures = lowered["webhook-signature"].split()
    except (KeyError, ValueError):
        raise InvalidSignature("missing or malformed webhook headers") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise InvalidSignature("the timestamp is too old or in the future")
    expected = sign(secret, message_id, timestamp, body)
    for candidate in signatures:
        if candidate.startswith("v1,") and hmac.compare_digest(candidate, expected):
            return
    raise InvalidSignature("no signature matches")
