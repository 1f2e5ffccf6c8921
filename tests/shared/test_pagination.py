from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import UnprocessableContent
from shared.pagination import decode_cursor, encode_cursor

keys = st.tuples(
    st.datetimes(timezones=st.just(UTC)),
    st.uuids(),
    st.text(max_size=30),
    st.integers(min_value=-(2**53), max_value=2**53),
)


@given(keys)
def test_cursor_round_trips(key: tuple[datetime, uuid.UUID, str, int]) -> None:
    assert tuple(decode_cursor(encode_cursor(key), 4)) == key


@pytest.mark.parametrize(
    "cursor", ["", "%%%", "bm90IGpzb24", encode_cursor([1, 2]), "W3sidCI6ICJ4In1d"]
)
def test_malformed_cursors_are_422(cursor: str) -> None:
    with pytest.raises(UnprocessableContent):
        decode_cursor(cursor, 1)
