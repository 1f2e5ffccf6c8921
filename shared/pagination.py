"""Keyset pagination with opaque cursors: ``?limit=`` (default 50, max 200) and ``?cursor=``.

A cursor encodes the sort key of the last item returned, so pages stay stable while rows are
inserted, and each page costs one index range scan however deep the client has paged.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from shared.errors import FieldError, UnprocessableContent

T = TypeVar("T")
SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 200).")]
CursorParam = Annotated[
    str | None,
    Query(max_length=512, description="Opaque cursor from the previous page's `next_cursor`."),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "u" in value:
        return uuid.UUID(value["u"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != width:
            raise ValueError("wrong width")
        return [_decode_value(value) for value in values]
    except (ValueError, TypeError, KeyError) as error:
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
        statement = statement.where(tuple_(*order_by) > tuple(decode_cursor(cursor, len(order_by))))
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
