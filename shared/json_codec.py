"""JSON in and out of the services: orjson, in one place.

The standard library's encoder was half of matching's CPU for a page of 50 referrals (each with
its stored explanation) and its decoder most of reading JSONB columns (``make bench
SUITES=load``, py-spy); orjson does both several times faster. Its output is the same JSON, with
three differences the callers want: UTF-8 as is (no ``\\u`` escapes), NaN and infinities as
``null`` (the standard library writes ``NaN``, which is not JSON), and numpy scalars as numbers.
"""

from __future__ import annotations

from typing import Any

import orjson

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=OPTIONS)


def dumps_text(value: Any) -> str:
    """What SQLAlchemy's JSON types bind (a ``str``)."""
    return orjson.dumps(value, option=OPTIONS).decode()


loads = orjson.loads
