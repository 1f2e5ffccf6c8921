from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.db.models import Beneficiary
from shared.errors import UnprocessableContent
from shared.pagination import decode_cursor, encode_cursor

KEY_TYPES = (datetime, uuid.UUID, str, int)

keys = st.tuples(
    st.datetimes(timezones=st.just(UTC)),
    st.uuids(),
    st.text(st.characters(exclude_characters="\x00"), max_size=30),  # NUL: refused
    st.integers(min_value=-(2**53), max_value=2**53),
)


@given(keys)
def test_cursor_round_trips(key: tuple[datetime, uuid.UUID, str, int]) -> None:
    assert tuple(decode_cursor(encode_cursor(key), 4)) == key
    assert tuple(decode_cursor(encode_cursor(key), KEY_TYPES)) == key


@pytest.mark.parametrize(
    "cursor", ["", "%%%", "bm90IGpzb24", encode_cursor([1, 2]), "W3sidCI6ICJ4In1d"]
)
def test_malformed_cursors_are_422(cursor: str) -> None:
    with pytest.raises(UnprocessableContent):
        decode_cursor(cursor, 1)


def _raw(values: object) -> str:
    """A cursor as a client could forge it: any JSON, base64url-encoded."""
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


WHEN = {"t": "2026-01-02T03:04:05+00:00"}
WHO = {"u": str(uuid.UUID(int=7))}


@pytest.mark.parametrize(
    "values",
    [
        [WHO, WHEN],  # swapped
        [5, WHO],  # a number for a datetime
        ["2026-01-02", WHO],  # a string for a datetime
        [WHEN, "not-a-uuid"],
        [WHEN, 7],
        [WHEN, {"u": "zzz"}],
        [WHEN, {"u": 5}],
        [{"t": 5}, WHO],
        [{"t": "2026-01-02T03:04:05"}, WHO],  # no offset for a timestamptz
        [{"t": "2026-01-02T03:04:05+00:00", "u": "x"}, WHO],
        [[1, 2], WHO],
        [None, WHO],
        [True, WHO],
        [WHEN, WHO, 3],
    ],
)
def test_tampered_cursors_are_checked_against_the_key_columns(values: list[object]) -> None:
    key = (Beneficiary.updated_at, Beneficiary.id)
    with pytest.raises(UnprocessableContent) as refused:
        decode_cursor(_raw(values), key)
    assert refused.value.errors is not None
    assert refused.value.errors[0].field == "query.cursor"


@pytest.mark.parametrize(
    "values",
    [[2**63, WHO], [-(2**63) - 1, WHO], ["a\x00b", WHO], [1e400, WHO], [True, WHO], [[], WHO]],
)
def test_values_postgresql_would_refuse_are_422_whatever_the_key(values: list[object]) -> None:
    with pytest.raises(UnprocessableContent):
        decode_cursor(_raw(values), (int, uuid.UUID))
    with pytest.raises(UnprocessableContent):
        decode_cursor(_raw(values), 2)


def test_a_valid_key_passes_as_its_types() -> None:
    when, who = decode_cursor(_raw([WHEN, WHO]), (Beneficiary.updated_at, Beneficiary.id))
    assert when == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert who == uuid.UUID(int=7)
    assert decode_cursor(_raw([-1, 2, WHO]), (int, int, uuid.UUID))[:2] == [-1, 2]
