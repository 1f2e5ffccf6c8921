"""Keyset pagination with opaque cursors: ``?limit=`` (default 50, max 200) and ``?cursor=``.

A cursor encodes the sort key of the last item returned, so pages stay stable while rows are
inserted, and each page costs one index range scan however deep the client has paged.

A cursor comes back from the client, who may have edited it: before it reaches SQL each value is
checked against the type of the key column it stands for (a UUID for a UUID, an aware datetime
for a ``timestamptz``, a 64-bit integer, text without NUL), so a tampered cursor is a 422, never
a database error.
"""

from __future__ import annotations

import base64
import json
import math
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from shared.errors import FieldError, UnprocessableContent

T = TypeVar("T")
SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_BIGINT = 2**63
_MAX_WIDTH = 8
# What a cursor value must be: a Python type, or the key column / SQL expression it is compared to.
KeyPart = type | ColumnElement[Any] | InstrumentedAttribute[Any]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 200).")]
# A batch read: the records a page or a webhook named, in one call (with ``limit`` as large).
BatchIds = Annotated[
    list[uuid.UUID] | None,
    Query(
        alias="id",
        max_length=MAX_LIMIT,
        description="read these in one call (repeated, at most 200; ask limit=200): the ids a "
        "page or a webhook carried. Those you may not see are simply absent.",
    ),
]


def _plain_cursor(cursor: str | None) -> str | None:
    """A cursor any list could have written (base64 JSON of a few plain values, datetimes with
    their offset), checked before the route runs: even a list that reads no cursor (empty for
    the caller's role) refuses a forged one. Each list then checks it against its own key."""
    if cursor:
        try:
            values = _decode_values(cursor)
            if not 1 <= len(values) <= _MAX_WIDTH:
                raise _Tampered("wrong width")
            for value in values:
                _checked(
                    _decode_value(value),
                    datetime if isinstance(value, dict) and "t" in value else object,
                )
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
            raise ValueError("malformed cursor; start again without it") from None
    return cursor


CursorParam = Annotated[
    str | None,
    Query(
        max_length=512,
        description="Opaque cursor from the previous page's `next_cursor`; a cursor that is not "
        "one answers 422.",
    ),
    AfterValidator(_plain_cursor),
]


# The cursor of a list that is always whole (matches, search results, code lists): declared so that
# every list answers the one envelope ``{items, next_cursor}``, and always null.
WholeCursor = Annotated[
    str | None,
    Field(description="always null: this list comes whole, in one page"),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def whole(items: Sequence[T]) -> Page[T]:
    """A list that is never long (a pathway's steps, a person's consents) in the one envelope
    every list answers with: ``next_cursor`` is always null, so one client loop reads them all."""
    return Page[T](items=list(items), next_cursor=None)


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and value.keys() == {"t"}:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and value.keys() == {"u"}:
        return uuid.UUID(value["u"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


class _Tampered(ValueError):
    pass


def _expected(part: KeyPart) -> tuple[type | None, bool]:
    """The Python type a key part holds and whether a datetime must carry its offset."""
    if isinstance(part, type):
        return part, part is datetime
    sql_type = part.type
    try:
        python_type: type | None = sql_type.python_type
    except NotImplementedError:  # an expression SQLAlchemy cannot type: checked generically
        python_type = None
    return python_type, bool(getattr(sql_type, "timezone", False))


def _checked(value: Any, part: KeyPart) -> Any:
    expected, aware = _expected(part)
    if isinstance(value, str) and "\x00" in value:
        raise _Tampered("NUL in a cursor")  # PostgreSQL refuses it in any text
    if isinstance(value, bool) and expected is not bool:
        raise _Tampered("a boolean where none belongs")
    if isinstance(value, int) and not -_BIGINT <= value < _BIGINT:
        raise _Tampered("an integer out of range")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Tampered("a number out of range")
    if isinstance(value, list | dict):
        raise _Tampered("a structure where a value belongs")
    if expected is None:
        return value
    if expected is float and isinstance(value, int):
        return float(value)
    if not isinstance(value, expected):
        raise _Tampered("a value of another type than its column")
    if isinstance(value, datetime) and aware and value.utcoffset() is None:
        raise _Tampered("a datetime without offset")
    if isinstance(value, datetime) and value.utcoffset() is not None:
        value.astimezone(UTC)  # 9999-12-31T23:00-14:00 is no moment the database can hold
    return value


def _decode_values(cursor: str) -> list[Any]:
    padded = cursor + "=" * (-len(cursor) % 4)
    values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    if not isinstance(values, list):
        raise _Tampered("not a list")
    return values


def decode_cursor(cursor: str, key: int | Sequence[KeyPart]) -> list[Any]:
    """The key values ``cursor`` holds, checked against ``key`` (the key columns or expressions,
    or their Python types); a bare width checks only that the values are plain and in range."""
    parts: Sequence[KeyPart | None] = [None] * key if isinstance(key, int) else key
    try:
        values = _decode_values(cursor)
        if len(values) != len(parts):
            raise _Tampered("wrong width")
        return [
            _checked(_decode_value(value), part if part is not None else object)
            for value, part in zip(values, parts, strict=True)
        ]
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        OverflowError,
        RecursionError,
    ) as error:
        raise UnprocessableContent(
            "The cursor is not valid; start again without it.",
            errors=[FieldError(field="query.cursor", message="malformed cursor", code="cursor")],
        ) from error


def keyset(
    statement: SelectT,
    order_by: Sequence[InstrumentedAttribute[Any]],
    cursor: str | None,
    limit: int,
) -> SelectT:
    """Order ``statement`` by the (unique) key ``order_by``, start after ``cursor``, fetch one extra
    row so :func:`page_of` can tell whether another page follows."""
    if cursor:
        statement = statement.where(tuple_(*order_by) > tuple(decode_cursor(cursor, order_by)))
    return statement.order_by(*order_by).limit(limit + 1)


def page_of(
    rows: Sequence[Any],
    limit: int,
    key: Callable[[Any], Sequence[Any]],
    convert: Callable[[Any], T],
) -> Page[T]:
    has_more = len(rows) > limit
    shown = rows[:limit]
    next_cursor = encode_cursor(key(shown[-1])) if has_more and shown else None
    return Page[T](items=[convert(row) for row in shown], next_cursor=next_cursor)
