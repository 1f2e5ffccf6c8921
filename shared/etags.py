"""Entity tags: optimistic concurrency for updates (``If-Match`` required on ``PATCH``) and
revalidation of reads (``If-None-Match`` answered 304 by :mod:`shared.middleware`).

A stored resource's tag is its version (``"7"``); a resource without a version column is tagged by
a digest of its representation (:func:`content_etag`). Tags name the resource's state, not the
bytes on the wire: the gateway's compression leaves them as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from starlette.requests import Request

from shared.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def content_etag(content: bytes) -> str:
    """A strong tag for a representation without a version: a digest of its bytes."""
    return '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


def check_if_match(request: Request, current_version: int) -> None:
    """428 without ``If-Match``; 412 when it names another version than the current one, or only
    weak tags (``W/"7"``)."""
    lines = request.headers.getlist("if-match")  # a list header: several lines are one list
    if not lines:
        raise PreconditionRequired("Send If-Match with the ETag from your last read.")
    # Strong comparison (RFC 9110 13.1.1): a weak tag never matches, since it only promises an
    # equivalent representation, not the very version the change was made against.
    candidates = {value.strip() for value in ",".join(lines).split(",")}
    if "*" not in candidates and etag(current_version) not in candidates:
        raise PreconditionFailed(
            "Someone changed this since you read it; read it again and reapply your change."
        )


def if_match_checker(request: Request) -> Callable[[int], None]:
    """For a change checked against a version read later (under a lock): 428 now, before anything
    is read, when ``If-Match`` is missing; else the check to run on the current version."""
    if not request.headers.getlist("if-match"):
        check_if_match(request, 0)  # raises the 428
    return lambda current_version: check_if_match(request, current_version)


def matches_if_none_match(if_none_match: bytes, current: bytes) -> bool:
    """Whether ``If-None-Match`` names the current tag, so that a GET answers 304 (RFC 9110
    13.1.2: weak comparison, ``*`` matches any current representation)."""
    current = current.strip().removeprefix(b"W/")
    for candidate in if_none_match.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == current:
            return True
    return False
