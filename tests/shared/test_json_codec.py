"""``shared.json_codec``: the services' JSON, the same documents as the standard library's."""

from __future__ import annotations

import json

import numpy as np

from shared import json_codec


def test_the_same_json_as_the_standard_library_for_plain_documents() -> None:
    document = {"a": [1, 2.5, None, True], "b": {"c": "d"}, "e": ""}
    assert json.loads(json_codec.dumps(document)) == document
    assert json_codec.loads(json.dumps(document)) == document
    assert json_codec.dumps_text(document) == json.dumps(document, separators=(",", ":"))


def test_utf8_as_is_not_escaped() -> None:
    assert json_codec.dumps({"città": "Ελλάδα"}).decode() == '{"città":"Ελλάδα"}'


def test_nan_and_infinity_are_null_not_invalid_json() -> None:
    assert json.loads(json_codec.dumps([float("nan"), float("inf")])) == [None, None]


def test_numpy_scalars_and_keys_that_are_not_strings() -> None:
    value = {1: np.float64(0.25), "n": np.int32(3), "flag": np.bool_(True)}
    assert json.loads(json_codec.dumps(value)) == {"1": 0.25, "n": 3, "flag": True}
