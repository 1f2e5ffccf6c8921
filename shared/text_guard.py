"""Characters no request may carry in its text: NUL and Unicode bidirectional overrides/isolates.

PostgreSQL refuses NUL in any text value, so one that reached a query was a 500; bidirectional
controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates) make a name display as
another one (``Amina`` followed by an override reads backwards) in every list and letter that shows
it. Both are refused (422) for the whole request, before any schema sees it: in the JSON body
(raw, or as a ``\\u0000`` / ``\\u202e`` escape), in a form body, in the query string and the path.
U+200E/U+200F (the left-to-right and right-to-left marks) stay allowed: right-to-left text uses
them and they cannot reorder what follows.

The body is checked as it streams, chunk by chunk (the request middleware must not buffer it):
each chunk is searched together with the last bytes of the one before, so a character split
between two chunks is still found.
"""

from __future__ import annotations

import re
from typing import Final

from shared.errors import FieldError, InputRefused

MESSAGE: Final = (
    "Text must not contain NUL characters or Unicode bidirectional controls "
    "(U+202A-U+202E, U+2066-U+2069)."
)
CODE: Final = "forbidden_character"
# UTF-8 of U+202A-U+202E and U+2066-U+2069, and NUL.
_RAW: Final = rb"\x00|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
# A JSON escape of them: a backslash that is not itself escaped (an even run of backslashes
# before it), ``u``, and the code point in either case.
_JSON: Final = re.compile(
    _RAW + rb"|(?<!\\)(?:\\\\)*\\u(?:0000|202[a-eA-E]|206[6-9])",
)
# The same in a form body or a query string: raw, or percent-encoded UTF-8.
_ENCODED: Final = re.compile(
    _RAW + rb"|%00|%[eE]2%80%[aA][a-eA-E]|%[eE]2%81%[aA][6-9]",
)
_RAW_ONLY: Final = re.compile(_RAW)
# Bytes of the previous chunk searched again with the next. A backslash run longer than this
# that straddles two chunks may be taken for an escape: refused, never let through.
_OVERLAP: Final = 64


def refused(location: str) -> InputRefused:
    return InputRefused(
        422,
        MESSAGE,
        errors=[FieldError(field=location, message=MESSAGE, code=CODE)],
    )


class BodyGuard:
    """Fed the body's chunks in order; raises :class:`InputRefused` at the first bad character."""

    __slots__ = ("_pattern", "_tail")

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self._pattern = pattern
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        window = self._tail + chunk
        start = len(self._tail)
        for found in self._pattern.finditer(window):
            if found.end() > start:  # wholly in the old tail: judged with the previous chunk
                raise refused("body")
        self._tail = window[-_OVERLAP:]


def body_guard(content_type: bytes | None) -> BodyGuard | None:
    """A guard for a body of this type, or None for a type Ponte never reads as text (a body
    without a type is not parsed: FastAPI's strict content type; multipart would carry files,
    and no route takes it)."""
    if content_type is None:
        return None
    media = content_type.split(b";", 1)[0].strip().lower()
    if media == b"application/json" or media.endswith(b"+json"):
        return BodyGuard(_JSON)
    if media == b"application/x-www-form-urlencoded":
        return BodyGuard(_ENCODED)
    if media.startswith(b"text/"):
        return BodyGuard(_RAW_ONLY)
    return None


def check_target(path: str, query_string: bytes) -> None:
    """Raises :class:`InputRefused` when the path or the query carries a forbidden character."""
    if query_string and _ENCODED.search(query_string.replace(b"+", b" ")):
        raise refused("query")
    if _RAW_ONLY.search(path.encode("utf-8", "surrogateescape")):  # the path arrives decoded
        raise refused("path")
