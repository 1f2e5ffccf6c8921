"""Optimistic concurrency for updates: ``ETag`` on reads, ``If-Match`` required on ``PATCH``."""

from __future__ import annotations

from starlette.requests import Request

from shared.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(request: Request, current_version: int) -> None:
    """428 without ``If-Match``; 412 when it names another version than the current one."""
    header = request.headers.get("if-match")
    if header is None:
        raise PreconditionRequired("Send If-Match with the ETag from your last read.")
    candidates = {value.strip().removeprefix("W/") for value in header.split(",")}
    if "*" not in candidates and etag(current_version) not in candidates:
        raise PreconditionFailed(
            "Someone changed this since you read it; read it again and reapply your change."
        )
