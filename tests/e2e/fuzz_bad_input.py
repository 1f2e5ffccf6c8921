"""Bad input the contract fuzzing sends to every operation besides schemathesis's cases: tampered
pagination cursors, NUL and bidirectional controls in every text field of a body, oversized
chunked bodies and unknown query parameters. Each is refused with a 4xx problem, never a 5xx and
never accepted."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from tests.e2e.fuzz_support import MAX_BODY_BYTES, MAX_DOCUMENT_BYTES
from tests.e2e.openapi_walk import example_body, operations

FORBIDDEN_TEXT = ["\x00", "\u202e", "\u2066", "\u202a"]


def forged(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


_NAIVE = {"t": "2026-01-02T03:04:05"}
_WHO = {"u": str(uuid.UUID(int=7))}
# Wrong for every key Ponte sorts by (UUIDs, aware datetimes, integers), at every width, and
# refused by the cursor parameter itself, so even a caller whose list is empty by role gets 422.
TAMPERED_CURSORS = [
    cursor
    for width in (1, 2, 3)
    for cursor in (
        forged([{"t": "nope"}] * width),
        forged([2**70] * width),
        forged(["a\x00b"] * width),
        forged([[1]] * width),
        forged([True] * width),
        forged([_NAIVE] + [_WHO] * (width - 1)),
    )
] + ["%%%", "bm90IGpzb24"]


def fill(path: str, ids: dict[str, str]) -> str:
    """The path with its parameters set from ``ids`` (a random UUID where none is known; a
    territory's code is Roma's, of the committed cut, not an id)."""
    for name, value in {"code": "IT_058091", **ids}.items():
        path = path.replace("{" + name + "}", value)
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + str(uuid.uuid4()) + path[end + 1 :]
    return path


def poisoned(value: Any, character: str) -> tuple[Any, int]:
    """``value`` with ``character`` inside every string, and how many strings it changed."""
    if isinstance(value, str):
        middle = len(value) // 2
        return value[:middle] + character + value[middle:], 1
    if isinstance(value, dict):
        pairs = {key: poisoned(item, character) for key, item in value.items()}
        return {key: item for key, (item, _) in pairs.items()}, sum(n for _, n in pairs.values())
    if isinstance(value, list):
        items = [poisoned(item, character) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    return value, 0


def _problem(answer: httpx.Response) -> str | None:
    if answer.url.path == "/api/v1/auth/token" and answer.headers.get("content-type") == (
        "application/json"
    ):
        return None if "error" in answer.json() else "an OAuth error without `error`"
    if not answer.headers.get("content-type", "").startswith("application/problem+json"):
        return f"content type {answer.headers.get('content-type')!r}"
    return None


def _judge(label: str, answer: httpx.Response, expected: set[int]) -> str | None:
    if answer.status_code >= 500 or answer.status_code < 400:
        return f"{label}: {answer.status_code} {answer.text[:200]}"
    if answer.status_code not in expected:
        return f"{label}: {answer.status_code}, expected one of {sorted(expected)}"
    why = _problem(answer)
    return f"{label}: {why}" if why else None


def tampered_cursor_failures(
    client: httpx.Client,
    document: dict[str, Any],
    callers: list[dict[str, str]],
    ids: dict[str, str],
) -> tuple[list[str], int]:
    """Every list with a cursor, as every caller: a caller who may list gets 422; the others
    their 401/403/404. Returns the failures and the number of lists some caller could read."""
    failures: list[str] = []
    readable = 0
    for method, template, operation in operations(document):
        names = {p.get("name") for p in operation.get("parameters", []) if isinstance(p, dict)}
        if method != "GET" or "cursor" not in names:
            continue
        path = fill(template, ids)
        allowed = [h for h in callers if client.get(path, headers=h).status_code == 200]
        readable += bool(allowed)
        for headers in callers:
            expected = {422} if headers in allowed else {401, 403, 404, 422}
            for cursor in TAMPERED_CURSORS:
                answer = client.get(path, params={"cursor": cursor}, headers=headers)
                failure = _judge(f"GET {template} cursor={cursor}", answer, expected)
                if failure:
                    failures.append(failure)
    return failures, readable


def forbidden_text_failures(
    client: httpx.Client, document: dict[str, Any], headers: dict[str, str], ids: dict[str, str]
) -> tuple[list[str], int]:
    """Every operation with a JSON body, its example with a forbidden character in every
    string: refused (422 once past the token check), never stored."""
    failures: list[str] = []
    bodies = 0
    for method, template, operation in operations(document):
        body = example_body(document, operation)
        if body is None:
            continue
        for character in FORBIDDEN_TEXT:
            changed, count = poisoned(body, character)
            if count == 0:
                changed = (
                    {**changed, "note": f"x{character}"} if isinstance(changed, dict) else changed
                )
            answer = client.request(
                method,
                fill(template, ids),
                content=json.dumps(changed).encode(),
                headers={**headers, "Content-Type": "application/json", "If-Match": "*"},
            )
            failure = _judge(
                f"{method} {template} U+{ord(character):04X}", answer, {401, 403, 404, 422}
            )
            if failure:
                failures.append(failure)
        bodies += 1
    return failures, bodies


def oversized_body_failures(
    client: httpx.Client,
    document: dict[str, Any],
    headers: dict[str, str],
    ids_for: Callable[[str, str], dict[str, str]],
) -> list[str]:
    """Every operation that takes a body, sent one a byte past the limit, chunked: 413. An upload
    (a form with a file) is sent a well-formed form whose file is past the file limit.
    ``ids_for(method, path)``: the objects to name, ones that still exist (an upload is checked
    against its person before the file is read: a person erased by an earlier test is a 404)."""

    def chunks() -> Iterator[bytes]:
        piece = b" " * 262144
        for _ in range(MAX_BODY_BYTES // len(piece) + 1):
            yield piece

    def form() -> Iterator[bytes]:
        yield (
            b'--fuzz\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
            b"%PDF-"
        )
        piece = b" " * 262144
        for _ in range(MAX_DOCUMENT_BYTES // len(piece) + 1):
            yield piece
        yield b"\r\n--fuzz--\r\n"

    failures: list[str] = []
    for method, template, operation in operations(document):
        if "requestBody" not in operation:
            continue
        content_type = next(iter(operation["requestBody"].get("content", {"application/json": {}})))
        upload = content_type == "multipart/form-data"
        answer = client.request(
            method,
            fill(template, ids_for(method, template)),
            content=form() if upload else chunks(),
            headers={
                **headers,
                "Content-Type": content_type + ("; boundary=fuzz" if upload else ""),
            },
        )
        # A form field over 1 MiB is refused (400 invalid_request) before the body's limit.
        expected = (
            {413} if content_type in ("application/json", "multipart/form-data") else {400, 413}
        )
        failure = _judge(f"{method} {template} oversized", answer, expected)
        if failure:
            failures.append(failure)
    return failures


def unknown_parameter_failures(
    client: httpx.Client, document: dict[str, Any], headers: dict[str, str], ids: dict[str, str]
) -> list[str]:
    """Every read, with a query parameter it does not declare: 422 (or the 401/404 before)."""
    failures: list[str] = []
    for method, template, _operation in operations(document):
        if method != "GET":
            continue
        answer = client.get(fill(template, ids), params={"external_ref": "x"}, headers=headers)
        failure = _judge(f"GET {template}?external_ref", answer, {401, 403, 404, 422})
        if failure:
            failures.append(failure)
    return failures
